package studio.taskstore;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.taskstore.TaskStatus.CANCELLED;
import static studio.taskstore.TaskStatus.FAILED;
import static studio.taskstore.TaskStatus.QUEUED;
import static studio.taskstore.TaskStatus.RUNNING;
import static studio.taskstore.TaskStatus.SUCCEEDED;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AutorunStatusTest {
  @Test
  @DisplayName("queued until a task starts; running while any is left to run, even after others ended")
  void active() {
    assertThat(AutorunStatus.of(List.of(QUEUED, QUEUED))).isEqualTo("queued");
    assertThat(AutorunStatus.of(List.of(RUNNING, QUEUED))).isEqualTo("running");
    assertThat(AutorunStatus.of(List.of(SUCCEEDED, QUEUED))).isEqualTo("running");
    assertThat(AutorunStatus.of(List.of(FAILED, RUNNING))).isEqualTo("running");
  }

  @Test
  @DisplayName("at the end: succeeded, cancelled, failed when none succeeded, partial when some did")
  void ended() {
    assertThat(AutorunStatus.of(List.of(SUCCEEDED, SUCCEEDED))).isEqualTo("succeeded");
    assertThat(AutorunStatus.of(List.of(CANCELLED, CANCELLED))).isEqualTo("cancelled");
    assertThat(AutorunStatus.of(List.of(FAILED, CANCELLED))).isEqualTo("failed");
    assertThat(AutorunStatus.of(List.of(SUCCEEDED, FAILED))).isEqualTo("partial");
    assertThat(AutorunStatus.of(List.of(SUCCEEDED, CANCELLED))).isEqualTo("partial");
    assertThat(List.of("succeeded", "failed", "cancelled", "partial")).allMatch(AutorunStatus::terminal);
    assertThat(List.of("queued", "running")).noneMatch(AutorunStatus::terminal);
  }
}

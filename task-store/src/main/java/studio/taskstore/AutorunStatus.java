package studio.taskstore;

import java.util.Collection;
import java.util.Set;

/**
 * A run's status, derived from its tasks' statuses alone: {@code queued} until one of them started,
 * {@code running} while any is left to run, then {@code succeeded} (all did), {@code cancelled} (all
 * were), {@code failed} (none succeeded) or {@code partial} (some succeeded, some did not).
 */
public final class AutorunStatus {
  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";
  public static final String PARTIAL = "partial";
  private static final Set<String> TERMINAL = Set.of(SUCCEEDED, FAILED, CANCELLED, PARTIAL);

  private AutorunStatus() {
  }

  public static String of(Collection<TaskStatus> tasks) {
    if (tasks.stream().anyMatch(status -> !status.terminal())) {
      boolean started = tasks.stream().anyMatch(status -> status == TaskStatus.RUNNING || status.terminal());
      return started ? RUNNING : QUEUED;
    }
    if (tasks.stream().allMatch(status -> status == TaskStatus.SUCCEEDED)) {
      return SUCCEEDED;
    }
    if (tasks.stream().allMatch(status -> status == TaskStatus.CANCELLED)) {
      return CANCELLED;
    }
    return tasks.contains(TaskStatus.SUCCEEDED) ? PARTIAL : FAILED;
  }

  public static boolean terminal(String status) {
    return TERMINAL.contains(status);
  }
}

package studio.taskstore;

import java.util.Arrays;
import java.util.Locale;

/**
 * A task's lifecycle. {@code waiting}: a flowchart node whose dependencies have not finished;
 * {@code skipped}: a node that will never run because a dependency did not succeed or the run
 * failed fast.
 */
public enum TaskStatus {
  WAITING, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, SKIPPED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == SKIPPED;
  }

  public static TaskStatus fromWire(String wire) {
    return Arrays.stream(values()).filter(status -> status.wire().equals(wire)).findFirst()
        .orElseThrow(() -> new IllegalStateException("unknown task status in the database: " + wire));
  }
}

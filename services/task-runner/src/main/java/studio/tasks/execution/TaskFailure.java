package studio.tasks.execution;

/**
 * How an executor says a task failed. {@code retryable}: the same task may succeed on another attempt
 * (a connection refused, a 503); otherwise the spec itself cannot succeed (exit code 1, a 404).
 */
public final class TaskFailure extends RuntimeException {
  private final boolean retryable;

  public TaskFailure(String message, boolean retryable) {
    super(message, null, false, false);
    this.retryable = retryable;
  }

  public static TaskFailure permanent(String message) {
    return new TaskFailure(message, false);
  }

  public static TaskFailure transientFailure(String message) {
    return new TaskFailure(message, true);
  }

  /** Anything an executor did not classify is treated as transient: an unexpected I/O error deserves another try. */
  public static TaskFailure of(Throwable failure) {
    if (failure instanceof TaskFailure task) {
      return task;
    }
    return new TaskFailure(failure.getClass().getSimpleName() + ": " + failure.getMessage(), true);
  }

  public boolean retryable() {
    return retryable;
  }
}

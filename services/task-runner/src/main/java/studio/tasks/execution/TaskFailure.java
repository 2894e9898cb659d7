package studio.tasks.execution;

import studio.runtime.breaker.CircuitOpen;

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

  /**
   * Whether a failed call says its dependency is down (a connection refused, a timeout, a 5xx): what
   * opens a circuit. A refusal of the request itself or a cancel says nothing about that.
   */
  public static boolean outage(Throwable failure) {
    return !(failure instanceof TaskFailure task) || task.retryable();
  }

  /** A call refused by an open circuit fails the attempt at once, for good, naming the reason. */
  public static Throwable circuitOpen(Throwable failure) {
    return failure instanceof CircuitOpen open ? permanent(open.getMessage()) : failure;
  }

  public boolean retryable() {
    return retryable;
  }
}

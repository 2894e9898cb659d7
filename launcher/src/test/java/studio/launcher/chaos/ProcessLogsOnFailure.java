package studio.launcher.chaos;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A failing chaos test names where its processes' logs are ({@code target/chaos/logs/<class>}), so
 * the report that shows the failure also says where to look next.
 */
final class ProcessLogsOnFailure implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withLogs(context, failure);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withLogs(context, failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withLogs(context, failure);
  }

  private static Throwable withLogs(ExtensionContext context, Throwable failure) {
    String where = ChaosDirectory.LOGS.resolve(context.getRequiredTestClass().getSimpleName()).toString();
    failure.addSuppressed(new Note("process logs: " + where));
    return failure;
  }

  /** Carries the note only: no stack of its own. */
  private static final class Note extends Exception {
    Note(String message) {
      super(message, null, false, false);
    }
  }
}

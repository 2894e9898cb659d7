package studio.tasks.executor;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import studio.tasks.execution.Execution;
import studio.taskstore.ExecutorKind;

/**
 * Runs one kind of task. The future completes with the task's result, or fails with a
 * {@link studio.tasks.execution.TaskFailure}; when {@link Execution#cancelled()} fires, the executor
 * stops its work (kills the process, aborts the request) and fails promptly.
 */
public interface Executor {
  ExecutorKind kind();

  Future<JsonObject> execute(Execution execution);

  /** Releases what the executor holds (clients, worker threads) when the runner stops. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}

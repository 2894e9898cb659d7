package studio.tasks.executor;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import studio.tasks.execution.Execution;
import studio.taskstore.ExecutorKind;

/** Does nothing and succeeds at once (with {@code params.result}, if given): queue tests and benchmarks. */
public final class NoopExecutor implements Executor {
  @Override
  public ExecutorKind kind() {
    return ExecutorKind.NOOP;
  }

  @Override
  public Future<JsonObject> execute(Execution execution) {
    return Future.succeededFuture(execution.params().getJsonObject("result", new JsonObject().put("ok", true)));
  }
}

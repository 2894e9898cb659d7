package studio.tasks.executor;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;
import studio.taskstore.ExecutorKind;

/** Waits {@code params.duration_ms} on a timer (never a thread): demos and tests of long-running work. */
public final class SleepExecutor implements Executor {
  @Override
  public ExecutorKind kind() {
    return ExecutorKind.SLEEP;
  }

  @Override
  public Future<JsonObject> execute(Execution execution) {
    long millis = execution.params().getLong("duration_ms", 1000L);
    execution.stage("sleeping", new JsonObject().put("duration_ms", millis));
    Promise<JsonObject> done = Promise.promise();
    long timer = execution.vertx().setTimer(Math.max(1, millis),
        fired -> done.tryComplete(new JsonObject().put("slept_ms", millis)));
    execution.cancelled().onSuccess(reason -> {
      execution.vertx().cancelTimer(timer);
      done.tryFail(TaskFailure.permanent(reason));
    });
    return done.future();
  }
}

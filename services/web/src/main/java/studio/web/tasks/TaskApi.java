package studio.web.tasks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.taskstore.Signals;
import studio.taskstore.TaskEvents;
import studio.taskstore.TaskOrigin;
import studio.taskstore.TaskSpec;
import studio.taskstore.TaskStatus;
import studio.taskstore.TaskTransitions;
import studio.taskstore.Tasks;
import studio.web.api.ApiContext;
import studio.web.api.ApiRouter;
import studio.web.api.Hydration;
import studio.web.api.JsonBodies;
import studio.web.api.Replies;

/**
 * Tasks: submit, list, cancel, and the node status endpoint pages hydrate from. Writes go to
 * PostgreSQL and wake the runners over the bus; the runners do the work.
 */
public final class TaskApi {
  private final ApiContext features;

  private TaskApi(ApiContext features) {
    this.features = features;
  }

  public static void mount(Router api, ApiContext features) {
    TaskApi tasks = new TaskApi(features);
    api.post("/tasks").handler(ApiRouter.endpoint(tasks::submit));
    api.get("/tasks").handler(ApiRouter.endpoint(tasks::list));
    api.post("/tasks/:id/cancel").handler(ApiRouter.endpoint(tasks::cancel));
    api.get("/nodes/:id/status").handler(ApiRouter.endpoint(tasks::status));
  }

  private Future<?> submit(RoutingContext ctx) {
    JsonObject body = JsonBodies.require(ctx);
    TaskSpec spec = TaskSpec.parse(body);
    Object runId = body.getValue("run_id");
    if (runId != null && !(runId instanceof Number number && number.longValue() > 0 && number.doubleValue() == number.longValue())) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "run_id", "must be a positive integer");
    }
    TaskOrigin origin = TaskOrigin.run(runId == null ? null : ((Number) runId).longValue());
    return features.pool().withTransaction(tx -> Tasks.enqueue(tx, spec, origin))
        .onSuccess(task -> Signals.wake(features.vertx()))
        .compose(task -> Replies.accepted(ctx, task.toJson()));
  }

  private Future<?> list(RoutingContext ctx) {
    int limit = (int) RequestParams.integer(ctx, "limit", 50, 1, Tasks.MAX_PAGE);
    Long cursor = RequestParams.optionalInteger(ctx, "cursor", 1, Long.MAX_VALUE);
    String status = ctx.request().getParam("status");
    TaskStatus filter = status == null ? null : Arrays.stream(TaskStatus.values())
        .filter(candidate -> candidate.wire().equals(status)).findFirst()
        .orElseThrow(() -> new ContractException(ErrorCode.INVALID_REQUEST, "status", "unknown status \"" + status + "\""));
    return Tasks.page(features.pool(), limit, cursor, filter).compose(page -> Replies.ok(ctx, page));
  }

  private Future<?> cancel(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    return TaskTransitions.cancel(features.pool(), id).compose(outcome -> {
      if (outcome.task() == null) {
        throw new ContractException(ErrorCode.NOT_FOUND, "no task " + id);
      }
      if (!outcome.changed() && outcome.task().status().terminal()) {
        throw new ContractException(ErrorCode.CONFLICT, "task " + id + " already ended " + outcome.task().status().wire());
      }
      Signals.cancel(features.vertx(), outcome.cancelSignals());
      return Replies.accepted(ctx, outcome.task().toJson());
    });
  }

  /** First paint of a node page: the task (with its version) and the cursors of its rooms, read first. */
  private Future<?> status(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    return Tasks.require(features.pool(), id)
        .compose(task -> Hydration.read(features.hub(), TaskEvents.rooms(task),
            () -> Tasks.require(features.pool(), id).map(fresh -> fresh.toJson())))
        .compose(state -> Replies.ok(ctx, state));
  }
}

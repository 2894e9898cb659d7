package studio.web.tasks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
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
import studio.web.api.Hydration;
import studio.web.api.Operations;
import studio.web.api.Replies;
import studio.web.api.Validated;

/**
 * Tasks: submit, list, cancel, and the node status endpoint pages hydrate from. Writes go to
 * PostgreSQL and wake the runners over the bus; the runners do the work.
 */
public final class TaskApi {
  /** The page size when {@code limit} is left out; the contract bounds it by {@link Tasks#MAX_PAGE}. */
  static final int DEFAULT_PAGE = 50;
  private final ApiContext features;

  private TaskApi(ApiContext features) {
    this.features = features;
  }

  public static void bind(Operations operations, ApiContext features) {
    TaskApi tasks = new TaskApi(features);
    operations.bind("submitTask", tasks::submit)
        .bind("listTasks", tasks::list)
        .bind("cancelTask", tasks::cancel)
        .bind("taskStatus", tasks::status);
  }

  private Future<?> submit(RoutingContext ctx) {
    JsonObject body = Validated.body(ctx);
    TaskSpec spec = TaskSpec.parse(body);
    TaskOrigin origin = TaskOrigin.run(body.getLong("run_id"));
    return features.pool().withTransaction(tx -> Tasks.enqueue(tx, spec, origin))
        .onSuccess(task -> Signals.wake(features.vertx()))
        .compose(task -> Replies.accepted(ctx, task.toJson()));
  }

  private Future<?> list(RoutingContext ctx) {
    Long limit = Validated.queryLong(ctx, "limit");
    Long cursor = Validated.queryLong(ctx, "cursor");
    String status = Validated.queryString(ctx, "status");
    TaskStatus filter = status == null ? null : Arrays.stream(TaskStatus.values())
        .filter(candidate -> candidate.wire().equals(status)).findFirst().orElseThrow();
    return Tasks.page(features.pool(), limit == null ? DEFAULT_PAGE : limit.intValue(), cursor, filter)
        .compose(page -> Replies.ok(ctx, page));
  }

  private Future<?> cancel(RoutingContext ctx) {
    long id = Validated.id(ctx);
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
    long id = Validated.id(ctx);
    return Tasks.require(features.pool(), id)
        .compose(task -> Hydration.read(features.hub(), TaskEvents.rooms(task),
            () -> Tasks.require(features.pool(), id).map(fresh -> fresh.toJson())))
        .compose(state -> Replies.ok(ctx, state));
  }
}

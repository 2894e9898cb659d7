package studio.web.flowcharts;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.contract.room.RoomKind;
import studio.taskstore.FlowchartDefinition;
import studio.taskstore.FlowchartRuns;
import studio.taskstore.Flowcharts;
import studio.taskstore.RunState;
import studio.taskstore.RunState.FailureMode;
import studio.taskstore.Signals;
import studio.web.api.ApiContext;
import studio.web.api.ApiRouter;
import studio.web.api.Hydration;
import studio.web.api.JsonBodies;
import studio.web.api.Replies;

/** Flowcharts (validated DAGs), their runs, the runtime view pages hydrate from, and cancel of a run. */
public final class FlowchartApi {
  private final ApiContext features;

  private FlowchartApi(ApiContext features) {
    this.features = features;
  }

  public static void mount(Router api, ApiContext features) {
    FlowchartApi flowcharts = new FlowchartApi(features);
    api.post("/flowcharts").handler(ApiRouter.endpoint(flowcharts::create));
    api.get("/flowcharts/:id").handler(ApiRouter.endpoint(flowcharts::get));
    api.post("/flowcharts/:id/runs").handler(ApiRouter.endpoint(flowcharts::startRun));
    api.get("/flowcharts/:id/runtime").handler(ApiRouter.endpoint(flowcharts::runtime));
    api.get("/flowchart-runs/:id").handler(ApiRouter.endpoint(flowcharts::getRun));
    api.post("/flowchart-runs/:id/cancel").handler(ApiRouter.endpoint(flowcharts::cancelRun));
  }

  private Future<?> create(RoutingContext ctx) {
    JsonObject body = JsonBodies.require(ctx);
    Object name = body.getValue("name");
    if (!(name instanceof String text) || text.isBlank() || text.length() > 200) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "name", "is required: 1-200 characters");
    }
    FlowchartDefinition definition = FlowchartDefinition.parse(body);
    return Flowcharts.create(features.pool(), text, definition).compose(created -> Replies.created(ctx, created));
  }

  private Future<?> get(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    return Flowcharts.find(features.pool(), id).compose(flowchart -> Replies.ok(ctx, found(flowchart, "flowchart", id)));
  }

  private Future<?> startRun(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    JsonObject body = ctx.body() == null || ctx.body().length() == 0 ? new JsonObject() : JsonBodies.require(ctx);
    FailureMode mode = failureMode(body.getValue("failure_mode"));
    int maxParallel = maxParallel(body.getValue("max_parallel"));
    return features.pool().withTransaction(tx -> FlowchartRuns.start(tx, id, mode, maxParallel))
        .onSuccess(started -> Signals.wake(features.vertx()))
        .compose(started -> Replies.accepted(ctx, started.run()));
  }

  /** The canvas: the flowchart's latest run (null before the first), hydrated with both rooms' cursors. */
  private Future<?> runtime(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    return Flowcharts.find(features.pool(), id)
        .map(flowchart -> found(flowchart, "flowchart", id))
        .compose(flowchart -> Flowcharts.latestRun(features.pool(), id))
        .compose(runId -> {
          List<RoomKey> rooms = runId == null ? List.of(RoomKey.of(RoomKind.FLOWCHART, Long.toString(id)))
              : List.of(RoomKey.of(RoomKind.FLOWCHART, Long.toString(id)), RoomKey.of(RoomKind.FLOWCHART_RUN, Long.toString(runId)));
          return Hydration.read(features.hub(), rooms, () -> runId == null
              ? Future.succeededFuture(new JsonObject().put("flowchart_id", id).putNull("run").put("version", 0))
              : FlowchartRuns.find(features.pool(), runId).map(run -> new JsonObject().put("flowchart_id", id)
                  .put("run", run).put("version", run.getLong("version"))));
        })
        .compose(state -> Replies.ok(ctx, state));
  }

  private Future<?> getRun(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    return FlowchartRuns.find(features.pool(), id)
        .map(run -> found(run, "flowchart run", id))
        .compose(run -> Hydration.read(features.hub(), List.of(
                RoomKey.of(RoomKind.FLOWCHART_RUN, Long.toString(id)),
                RoomKey.of(RoomKind.FLOWCHART, Long.toString(run.getLong("flowchart_id")))),
            () -> FlowchartRuns.find(features.pool(), id)))
        .compose(state -> Replies.ok(ctx, state));
  }

  private Future<?> cancelRun(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    return features.pool().withTransaction(tx -> FlowchartRuns.cancel(tx, id)).compose(change -> {
      String status = change.run().getString("status");
      if (List.of(RunState.SUCCEEDED, RunState.FAILED).contains(status)) {
        throw new ContractException(ErrorCode.CONFLICT, "flowchart run " + id + " already ended " + status);
      }
      Signals.cancel(features.vertx(), change.cancelSignals());
      return Replies.accepted(ctx, change.run());
    });
  }

  private static JsonObject found(JsonObject entity, String what, long id) {
    if (entity == null) {
      throw new ContractException(ErrorCode.NOT_FOUND, "no " + what + " " + id);
    }
    return entity;
  }

  private static FailureMode failureMode(Object value) {
    if (value == null) {
      return FailureMode.FAIL_FAST;
    }
    if ("fail_fast".equals(value)) {
      return FailureMode.FAIL_FAST;
    }
    if ("continue".equals(value)) {
      return FailureMode.CONTINUE;
    }
    throw new ContractException(ErrorCode.INVALID_REQUEST, "failure_mode", "must be \"fail_fast\" or \"continue\"");
  }

  private static int maxParallel(Object value) {
    if (value == null) {
      return FlowchartRuns.DEFAULT_MAX_PARALLEL;
    }
    if (value instanceof Integer number && number >= 1 && number <= FlowchartRuns.MAX_PARALLEL_LIMIT) {
      return number;
    }
    throw new ContractException(ErrorCode.INVALID_REQUEST, "max_parallel",
        "must be an integer 1-" + FlowchartRuns.MAX_PARALLEL_LIMIT);
  }
}

package studio.web.flowcharts;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
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
import studio.web.api.Hydration;
import studio.web.api.Operations;
import studio.web.api.Replies;
import studio.web.api.Validated;

/** Flowcharts (validated DAGs), their runs, the runtime view pages hydrate from, and cancel of a run. */
public final class FlowchartApi {
  private final ApiContext features;

  private FlowchartApi(ApiContext features) {
    this.features = features;
  }

  public static void bind(Operations operations, ApiContext features) {
    FlowchartApi flowcharts = new FlowchartApi(features);
    operations.bind("createFlowchart", flowcharts::create)
        .bind("getFlowchart", flowcharts::get)
        .bind("startFlowchartRun", flowcharts::startRun)
        .bind("flowchartRuntime", flowcharts::runtime)
        .bind("getFlowchartRun", flowcharts::getRun)
        .bind("cancelFlowchartRun", flowcharts::cancelRun);
  }

  private Future<?> create(RoutingContext ctx) {
    JsonObject body = Validated.body(ctx);
    FlowchartDefinition definition = FlowchartDefinition.parse(body);
    return Flowcharts.create(features.pool(), body.getString("name"), definition).compose(created -> Replies.created(ctx, created));
  }

  private Future<?> get(RoutingContext ctx) {
    long id = Validated.id(ctx);
    return Flowcharts.find(features.pool(), id).compose(flowchart -> Replies.ok(ctx, found(flowchart, "flowchart", id)));
  }

  private Future<?> startRun(RoutingContext ctx) {
    long id = Validated.id(ctx);
    JsonObject body = Validated.body(ctx);
    FailureMode mode = "continue".equals(body.getString("failure_mode")) ? FailureMode.CONTINUE : FailureMode.FAIL_FAST;
    int maxParallel = body.getInteger("max_parallel", FlowchartRuns.DEFAULT_MAX_PARALLEL);
    return features.pool().withTransaction(tx -> FlowchartRuns.start(tx, id, mode, maxParallel))
        .onSuccess(started -> Signals.wake(features.vertx()))
        .compose(started -> Replies.accepted(ctx, started.run()));
  }

  /** The canvas: the flowchart's latest run (null before the first), hydrated with both rooms' cursors. */
  private Future<?> runtime(RoutingContext ctx) {
    long id = Validated.id(ctx);
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
    long id = Validated.id(ctx);
    return FlowchartRuns.find(features.pool(), id)
        .map(run -> found(run, "flowchart run", id))
        .compose(run -> Hydration.read(features.hub(), List.of(
                RoomKey.of(RoomKind.FLOWCHART_RUN, Long.toString(id)),
                RoomKey.of(RoomKind.FLOWCHART, Long.toString(run.getLong("flowchart_id")))),
            () -> FlowchartRuns.find(features.pool(), id)))
        .compose(state -> Replies.ok(ctx, state));
  }

  private Future<?> cancelRun(RoutingContext ctx) {
    long id = Validated.id(ctx);
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
}

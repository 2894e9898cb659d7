package studio.web.runs;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import studio.taskstore.Autoruns;
import studio.web.api.ApiContext;
import studio.web.api.ApiRouter;
import studio.web.api.JsonBodies;
import studio.web.api.Replies;

/** Runs (the old "autorun"): HTTP in and out only; {@link RunService} does the work. */
public final class RunApi {
  private final RunService runs;

  public RunApi(RunService runs) {
    this.runs = runs;
  }

  public static void mount(Router api, ApiContext features) {
    RunApi runs = new RunApi(new RunService(features));
    api.post("/runs").handler(ApiRouter.endpoint(runs::create));
    api.get("/runs/:id").handler(ApiRouter.endpoint(runs::get));
    api.post("/runs/:id/cancel").handler(ApiRouter.endpoint(runs::cancel));
  }

  /** operationId createRun. */
  public Future<?> create(RoutingContext ctx) {
    return runs.create(Autoruns.parse(JsonBodies.require(ctx))).compose(run -> Replies.accepted(ctx, run));
  }

  /** operationId getRun. */
  public Future<?> get(RoutingContext ctx) {
    return runs.hydrate(JsonBodies.pathId(ctx, "id")).compose(run -> Replies.ok(ctx, run));
  }

  /** operationId cancelRun. */
  public Future<?> cancel(RoutingContext ctx) {
    return runs.cancel(JsonBodies.pathId(ctx, "id")).compose(run -> Replies.accepted(ctx, run));
  }
}

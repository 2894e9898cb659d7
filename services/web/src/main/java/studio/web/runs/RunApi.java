package studio.web.runs;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import studio.taskstore.Autoruns;
import studio.web.api.ApiContext;
import studio.web.api.Operations;
import studio.web.api.Replies;
import studio.web.api.Validated;

/** Runs (the old "autorun"): HTTP in and out only; {@link RunService} does the work. */
public final class RunApi {
  private final RunService runs;

  private RunApi(RunService runs) {
    this.runs = runs;
  }

  public static void bind(Operations operations, ApiContext features) {
    RunApi runs = new RunApi(new RunService(features));
    operations.bind("createRun", runs::create)
        .bind("getRun", runs::get)
        .bind("cancelRun", runs::cancel);
  }

  private Future<?> create(RoutingContext ctx) {
    return runs.create(Autoruns.parse(Validated.body(ctx))).compose(run -> Replies.accepted(ctx, run));
  }

  private Future<?> get(RoutingContext ctx) {
    return runs.hydrate(Validated.id(ctx)).compose(run -> Replies.ok(ctx, run));
  }

  private Future<?> cancel(RoutingContext ctx) {
    return runs.cancel(Validated.id(ctx)).compose(run -> Replies.accepted(ctx, run));
  }
}

package studio.web.operators;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import studio.contract.bus.RealtimePublisher;
import studio.web.api.Operations;
import studio.web.api.Replies;

/**
 * {@code GET /api/v1/realtime/stats}: the socket hub's counters for the operators' page, asked over
 * the event bus. The hub's own {@code <rt-path>/stats} answers no CORS, and in development the page
 * is on web's port, not the hub's; through web it is same-origin and behind web's authentication.
 * One replica answers (its process's totals); 503 {@code unavailable} when no hub is on the bus.
 */
public final class HubStatsEndpoint {
  private final RealtimePublisher hub;

  private HubStatsEndpoint(RealtimePublisher hub) {
    this.hub = hub;
  }

  public static void bind(Operations operations, RealtimePublisher hub) {
    operations.bind("getHubStats", new HubStatsEndpoint(hub)::stats);
  }

  private Future<?> stats(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "no-store");
    return hub.stats().compose(stats -> Replies.ok(ctx, stats));
  }
}

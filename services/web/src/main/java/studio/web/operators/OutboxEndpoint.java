package studio.web.operators;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import studio.outbox.OutboxStats;
import studio.web.api.Operations;
import studio.web.api.Replies;

/**
 * {@code GET /api/v1/outbox/stats}: for the operators' page, the outbox rows waiting for a relay and
 * the ones dead-lettered because they can never be published, with the newest few and their errors.
 */
public final class OutboxEndpoint {
  /** Enough to see what went wrong; the rest is a query away (docs/operators-guide.md). */
  static final int NEWEST_DEAD_LETTERS = 10;
  private final Pool pool;

  private OutboxEndpoint(Pool pool) {
    this.pool = pool;
  }

  public static void bind(Operations operations, Pool pool) {
    operations.bind("getOutboxStats", new OutboxEndpoint(pool)::stats);
  }

  private Future<?> stats(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "no-store");
    return OutboxStats.read(pool, NEWEST_DEAD_LETTERS).compose(stats -> Replies.ok(ctx, stats));
  }
}

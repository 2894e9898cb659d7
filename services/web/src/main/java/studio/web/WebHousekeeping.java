package studio.web;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;
import studio.web.api.ApiRouter;

/**
 * Web's background work, deployed once per process however many {@link WebVerticle} instances serve
 * HTTP: the hourly expiry of old Idempotency-Keys. (The outbox relay is the process's one
 * {@link studio.outbox.OutboxVerticle}, shared with the workers.)
 */
public final class WebHousekeeping extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebHousekeeping.class);
  private final ServiceContext context;
  private Pool pool;
  private long idempotencyJanitor;

  public WebHousekeeping(ServiceContext context) {
    this.context = context;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, context.config().database());
    idempotencyJanitor = ApiRouter.expireIdempotencyKeysPeriodically(vertx, pool);
    LOG.info("web housekeeping started: the hourly Idempotency-Key expiry for this process");
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(idempotencyJanitor);
    return pool.close();
  }
}

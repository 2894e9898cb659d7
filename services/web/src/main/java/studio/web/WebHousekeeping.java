package studio.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.Addresses;
import studio.outbox.OutboxRelay;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;
import studio.web.api.ApiRouter;

/**
 * Web's background work, deployed once per process however many {@link WebVerticle} instances serve
 * HTTP: the outbox relay (one per process is enough, since each batch takes an advisory lock anyway,
 * and more would only poll PostgreSQL more) and the hourly expiry of old Idempotency-Keys. Instances
 * wake the relay after a write with {@link #wakeRelay}, over the local event bus, because the relay
 * belongs to this verticle's event loop.
 */
public final class WebHousekeeping extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebHousekeeping.class);
  private static final DeliveryOptions THIS_PROCESS = new DeliveryOptions().setLocalOnly(true);
  private final ServiceContext context;
  private Pool pool;
  private OutboxRelay outbox;
  private MessageConsumer<Void> wakes;
  private long idempotencyJanitor;

  public WebHousekeeping(ServiceContext context) {
    this.context = context;
  }

  /** Asks this process's relay to publish what a write just committed; nothing happens where none runs. */
  public static void wakeRelay(Vertx vertx) {
    vertx.eventBus().send(Addresses.OUTBOX_WAKE, null, THIS_PROCESS);
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, context.config().database());
    outbox = OutboxRelay.toHub(vertx, pool, context.config().outboxPollInterval(), context.metrics());
    wakes = vertx.eventBus().localConsumer(Addresses.OUTBOX_WAKE, woken -> outbox.wake());
    return wakes.completion()
        .onSuccess(registered -> outbox.start())
        .onSuccess(registered -> idempotencyJanitor = ApiRouter.expireIdempotencyKeysPeriodically(vertx, pool))
        .onSuccess(registered -> LOG.info("web housekeeping started: one outbox relay and the hourly Idempotency-Key expiry for this process"));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(idempotencyJanitor);
    outbox.stop();
    return wakes.unregister().eventually(() -> pool.close());
  }
}

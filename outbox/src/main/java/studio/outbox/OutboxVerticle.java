package studio.outbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.Addresses;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;

/**
 * The process's one outbox relay, deployed once however many services and instances write events:
 * each batch takes an advisory lock anyway, so a second relay in the same process would only poll
 * PostgreSQL more. Writers wake it with {@link #wake} over the local event bus, because the relay
 * belongs to this verticle's event loop.
 */
public final class OutboxVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxVerticle.class);
  private static final DeliveryOptions THIS_PROCESS = new DeliveryOptions().setLocalOnly(true);
  private final ServiceContext context;
  private Pool pool;
  private OutboxRelay relay;
  private MessageConsumer<Void> wakes;

  public OutboxVerticle(ServiceContext context) {
    this.context = context;
  }

  /** Asks this process's relay to publish what a write just committed; nothing happens where none runs. */
  public static void wake(Vertx vertx) {
    vertx.eventBus().send(Addresses.OUTBOX_WAKE, null, THIS_PROCESS);
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, context.config().database());
    relay = OutboxRelay.toHub(vertx, pool, context.config().outboxPollInterval(), context.metrics());
    wakes = vertx.eventBus().localConsumer(Addresses.OUTBOX_WAKE, woken -> relay.wake());
    return wakes.completion()
        .onSuccess(registered -> relay.start());
  }

  @Override
  public Future<?> stop() {
    relay.stop();
    return wakes.unregister().eventually(() -> pool.close());
  }
}

package studio.web.api;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import studio.contract.bus.RealtimePublisher;

/** What an API feature needs: the state it writes and reads, and the hub it reads room cursors from. */
public record ApiContext(Vertx vertx, Pool pool, RealtimePublisher hub) {
}

package studio.web.serving;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.service.ErrorResponses;

/**
 * Per HTTP server instance (one event loop, so no locking): refuses requests with 503 while more
 * connections are open than allowed, and closes a keep-alive connection after its request budget so
 * long-lived clients rebalance over replicas added by scaling.
 */
public final class ConnectionGuard implements Handler<RoutingContext> {
  private final int maxConnections;
  private final int maxRequests;
  private final int jitter;
  private final Map<HttpConnection, int[]> budgets = new HashMap<>();
  private final AtomicInteger open = new AtomicInteger();

  public ConnectionGuard(ServingConfig config, MeterRegistry registry) {
    this.maxConnections = config.maxConnectionsPerInstance();
    this.maxRequests = config.maxRequestsPerConnection();
    this.jitter = config.maxRequestsJitter();
    // One series per instance (its event loop); sum() over them is the process's open connections.
    Gauge.builder("http_server_connections_open", open, AtomicInteger::get)
        .description("HTTP connections open on web")
        .tag("event_loop", Thread.currentThread().getName())
        .register(registry);
  }

  /** As the server's connection handler: counts connections and forgets them when they close. */
  public void opened(HttpConnection connection) {
    open.incrementAndGet();
    budgets.put(connection, new int[] {budget(), 0});
    connection.closeHandler(closed -> {
      open.decrementAndGet();
      budgets.remove(connection);
    });
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    if (maxConnections > 0 && open.get() > maxConnections) {
      ctx.response().putHeader("Connection", "close").putHeader("Retry-After", "1");
      ErrorResponses.send(ctx, new ContractException(ErrorCode.UNAVAILABLE,
          "too many open connections; retry shortly (another replica may have room)"));
      return;
    }
    int[] budget = budgets.get(connection);
    if (budget != null && budget[0] > 0 && ++budget[1] >= budget[0]) {
      if (ctx.request().version() == HttpVersion.HTTP_2) {
        ctx.addEndHandler(ended -> connection.shutdown());
      } else {
        ctx.response().putHeader("Connection", "close");
      }
    }
    ctx.next();
  }

  private int budget() {
    return maxRequests == 0 ? 0 : maxRequests + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextInt(jitter + 1));
  }
}

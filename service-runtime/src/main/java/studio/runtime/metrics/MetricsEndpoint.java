package studio.runtime.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /metrics} in the Prometheus text format, on every service's port and on the management port. */
public final class MetricsEndpoint {
  public static final String PATH = "/metrics";

  private MetricsEndpoint() {
  }

  public static void mount(Router router, PrometheusMeterRegistry registry) {
    mount(router, registry, RoutingContext::next);
  }

  /** Behind {@code guard}, which either refuses the request or passes it on. */
  public static void mount(Router router, PrometheusMeterRegistry registry, Handler<RoutingContext> guard) {
    router.get(PATH).handler(guard).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
  }
}

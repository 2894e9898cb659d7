package studio.runtime.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;

/** {@code GET /metrics} in the Prometheus text format, on every service's port. */
public final class MetricsEndpoint {
  public static final String PATH = "/metrics";

  private MetricsEndpoint() {
  }

  public static void mount(Router router, PrometheusMeterRegistry registry) {
    router.get(PATH).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
  }
}

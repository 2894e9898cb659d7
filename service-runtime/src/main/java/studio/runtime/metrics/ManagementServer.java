package studio.runtime.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.OptionalInt;
import studio.runtime.config.Settings;

/**
 * The management port ({@code STUDIO_MANAGEMENT_PORT}, off unless set): {@code GET /metrics} of the
 * whole process (every service it runs) without credentials, for Prometheus on the cluster's own
 * network. It is the one way in that needs no secret, so it must stay unrouted: no shipped proxy
 * config sends traffic to it and no Kubernetes Service exposes it. On the service ports, /metrics
 * needs the worker secret whenever users sign in ({@code studio.runtime.auth.Internals}).
 */
public final class ManagementServer {
  public static final String PORT = "STUDIO_MANAGEMENT_PORT";

  private ManagementServer() {
  }

  /** The configured port; empty when unset (0 picks a free one, for tests). */
  public static OptionalInt port(Settings settings) {
    return settings.optional(PORT).isPresent() ? OptionalInt.of(settings.port(PORT, 0)) : OptionalInt.empty();
  }

  public static Future<HttpServer> listen(Vertx vertx, PrometheusMeterRegistry registry, String host, int port) {
    Router router = Router.router(vertx);
    MetricsEndpoint.mount(router, registry);
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(router)
        .listen()
        .recover(failure -> Future.failedFuture(new IllegalStateException(
            "could not listen on " + host + ":" + port + " (" + PORT + "): " + failure.getMessage(), failure)));
  }
}

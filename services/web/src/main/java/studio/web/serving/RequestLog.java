package studio.web.serving;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.runtime.logging.LogConfig;
import studio.web.proxy.ExternalRequest;

/**
 * Once per request, when it ends: {@code http_server_requests} (count and latency by method, route
 * template and status) and, if enabled, an access-log line with the external client address.
 */
public final class RequestLog implements Handler<RoutingContext> {
  private static final String ROUTE_KEY = "studio.route-template";
  /** nginx's status for a request whose client closed the connection before the answer. */
  public static final int CLIENT_CLOSED_REQUEST = 499;
  private static final Logger ACCESS = LoggerFactory.getLogger(LogConfig.ACCESS_LOGGER);
  private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private final MeterRegistry registry;
  private final ServingConfig.AccessLogFormat format;

  public RequestLog(MeterRegistry registry, ServingConfig.AccessLogFormat format) {
    this.registry = registry;
    this.format = format;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    Instant at = Instant.now();
    // The route that answered is current when the headers go out; by the end it may be the outer mount.
    String[] route = {"unmatched"};
    ctx.addHeadersEndHandler(headers -> route[0] = ctx.get(ROUTE_KEY, routeTemplate(ctx)));
    ctx.addEndHandler(ended -> {
      long nanos = System.nanoTime() - started;
      // No answer went out: the client hung up first (nginx's 499), whatever status was set meanwhile.
      int status = ctx.response().ended() ? ctx.response().getStatusCode() : CLIENT_CLOSED_REQUEST;
      Timer.builder("http_server_requests")
          .description("HTTP requests served by web, by method, route template and status")
          .tag("method", ctx.request().method().name())
          .tag("route", route[0])
          .tag("status", String.valueOf(status))
          .register(registry)
          .record(nanos, TimeUnit.NANOSECONDS);
      if (format != ServingConfig.AccessLogFormat.OFF) {
        log(ctx, at, status, nanos);
      }
    });
    ctx.next();
  }

  /**
   * Called by an endpoint inside a sub-router, where the matched route is visible: the outer
   * context only sees the mount point.
   */
  public static void markRoute(RoutingContext ctx) {
    ctx.put(ROUTE_KEY, routeTemplate(ctx));
  }

  /** Low-cardinality: the route's template ({@code /api/v1/tasks/:id}), never the raw path. */
  private static String routeTemplate(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    String path = route == null ? null : route.getPath();
    if (path == null || ctx.response().getStatusCode() == 404) {
      return "unmatched";
    }
    String mount = ctx.mountPoint() == null ? "" : ctx.mountPoint().replaceAll("/$", "");
    return mount + path;
  }

  private void log(RoutingContext ctx, Instant at, int status, long nanos) {
    ExternalRequest external = ExternalRequest.of(ctx);
    String uri = ctx.request().uri();
    long bytes = ctx.response().bytesWritten();
    String referer = orDash(ctx.request().getHeader("Referer"));
    String agent = orDash(ctx.request().getHeader("User-Agent"));
    if (format == ServingConfig.AccessLogFormat.JSON) {
      ACCESS.atInfo().addKeyValue("client", external.clientAddress()).addKeyValue("method", ctx.request().method().name())
          .addKeyValue("uri", uri).addKeyValue("status", status).addKeyValue("bytes", bytes)
          .addKeyValue("duration_ms", nanos / 1_000_000.0).addKeyValue("user_agent", agent)
          .log("{} {} {}", ctx.request().method(), uri, status);
    } else {
      ACCESS.info("{} - - [{}] \"{} {} {}\" {} {} \"{}\" \"{}\" {}ms", external.clientAddress(), CLF.format(at),
          ctx.request().method(), uri, ctx.request().version().alpnName().toUpperCase(Locale.ROOT), status, bytes,
          referer, agent, nanos / 1_000_000);
    }
  }

  private static String orDash(String value) {
    return value == null ? "-" : value;
  }
}

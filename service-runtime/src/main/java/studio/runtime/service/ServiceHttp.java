package studio.runtime.service;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import studio.runtime.config.CommonConfig;

/** How every service binds its HTTP port, so a failed bind fails the deploy the same way everywhere. */
public final class ServiceHttp {
  private ServiceHttp() {
  }

  public static Future<HttpServer> listen(Vertx vertx, Router router, CommonConfig common, int port) {
    return listen(vertx, router, new HttpServerOptions(), common, port);
  }

  /** Binds the shared host, with direct TLS (and HTTP/2 over ALPN) when it is configured. */
  public static Future<HttpServer> listen(Vertx vertx, Router router, HttpServerOptions options, CommonConfig common,
                                          int port) {
    return listen(vertx, router, options, common, port, connection -> { });
  }

  /** As above, telling {@code connections} about every connection the server accepts. */
  public static Future<HttpServer> listen(Vertx vertx, Router router, HttpServerOptions options, CommonConfig common,
                                          int port, Handler<HttpConnection> connections) {
    String host = common.httpHost();
    return vertx.createHttpServer(common.tls().apply(new HttpServerOptions(options).setHost(host).setPort(port)))
        .connectionHandler(connections)
        .requestHandler(router)
        .listen()
        .recover(failure -> Future.failedFuture(new IllegalStateException(
            "could not listen on " + host + ":" + port + ": " + failure.getMessage(), failure)));
  }

  /** Stops accepting, lets in-flight requests finish for up to the grace period, then closes. */
  public static Future<Void> shutdown(HttpServer server, Duration grace) {
    return server == null ? Future.succeededFuture() : server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }
}

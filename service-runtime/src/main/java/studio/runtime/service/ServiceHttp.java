package studio.runtime.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/** How every service binds its HTTP port, so a failed bind fails the deploy the same way everywhere. */
public final class ServiceHttp {
  private ServiceHttp() {
  }

  public static Future<HttpServer> listen(Vertx vertx, Router router, String host, int port) {
    return listen(vertx, router, new HttpServerOptions(), host, port);
  }

  public static Future<HttpServer> listen(Vertx vertx, Router router, HttpServerOptions options, String host, int port) {
    return vertx.createHttpServer(new HttpServerOptions(options).setHost(host).setPort(port))
        .requestHandler(router)
        .listen()
        .recover(failure -> Future.failedFuture(new IllegalStateException(
            "could not listen on " + host + ":" + port + ": " + failure.getMessage(), failure)));
  }

  /** Stops accepting, lets in-flight requests finish for up to the grace period, then closes. */
  public static Future<Void> shutdown(HttpServer server, java.time.Duration grace) {
    return server == null ? Future.succeededFuture() : server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }
}

package studio.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;

@ExtendWith(VertxExtension.class)
class ServiceHttpTest {

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("graceful shutdown: an in-flight request finishes, a new connection is refused")
  void gracefulShutdown(Vertx vertx) throws Exception {
    Promise<Void> requestArrived = Promise.promise();
    Promise<Void> release = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/slow").handler(ctx -> {
      requestArrived.tryComplete();
      release.future().onSuccess(go -> ctx.response().end("finished"));
    });
    CommonConfig common = CommonConfig.from(Settings.of(Map.of("STUDIO_HTTP_HOST", "127.0.0.1")), false);
    HttpServer server = result(ServiceHttp.listen(vertx, router, common, 0));
    int port = server.actualPort();
    Future<String> inFlight = WebClient.create(vertx).get(port, "127.0.0.1", "/slow").send()
        .map(HttpResponse::bodyAsString);
    result(requestArrived.future());
    Future<Void> stopped = ServiceHttp.shutdown(server, Duration.ofSeconds(20));

    HttpClient fresh = vertx.createHttpClient();
    Throwable refused = result(fresh.request(HttpMethod.GET, port, "127.0.0.1", "/slow")
        .compose(request -> request.send()).map(response -> (Throwable) null).otherwise(failure -> failure));
    assertThat(refused).as("a new connection after shutdown began").isNotNull();

    release.complete();
    assertThat(result(inFlight)).isEqualTo("finished");
    result(stopped);
  }
}

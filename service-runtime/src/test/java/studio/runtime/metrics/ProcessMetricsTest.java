package studio.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProcessMetricsTest {
  private ProcessMetrics metrics;
  private Vertx vertx;

  @BeforeEach
  void start() {
    metrics = ProcessMetrics.create();
    vertx = metrics.vertx(new VertxOptions());
  }

  @AfterEach
  void stop() throws Exception {
    result(vertx.close());
    metrics.close();
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private String scrapeAfter(String... paths) throws Exception {
    Router router = Router.router(vertx);
    router.get("/tasks/:id").handler(ctx -> ctx.end("ok"));
    HttpServer server = result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(vertx);
    for (String path : paths) {
      result(client.get(server.actualPort(), "127.0.0.1", path).send());
    }
    client.close();
    return metrics.registry().scrape();
  }

  @Test
  @DisplayName("Vert.x's HTTP server requests are counted by route template: a user's raw path never becomes a label")
  void httpServerByRouteTemplate() throws Exception {
    String scrape = scrapeAfter("/tasks/41", "/tasks/42", "/no-such-page-7f3a");

    assertThat(scrape).containsPattern("vertx_http_server_requests_total\\{[^}]*route=\"/tasks/:id\"[^}]*\\} 2\\.0");
    assertThat(scrape).doesNotContain("/tasks/41").doesNotContain("no-such-page-7f3a");
    assertThat(scrape).contains("vertx_http_server_response_time_seconds_bucket");
  }

  @Test
  @DisplayName("the HTTP client's metrics carry no remote address (download hosts come from users)")
  void httpClientWithoutRemote() throws Exception {
    String scrape = scrapeAfter("/tasks/1");

    assertThat(scrape).contains("vertx_http_client_requests_total");
    assertThat(scrape).doesNotContain("127.0.0.1");
  }

  @Test
  @DisplayName("event-bus traffic and the JVM (heap, threads, CPU, GC) are in the same scrape")
  void eventBusAndJvm() throws Exception {
    vertx.eventBus().consumer("studio.test.echo", message -> message.reply(message.body()));
    result(vertx.eventBus().request("studio.test.echo", "hello"));
    System.gc(); // GC pause meters appear with the first collection's notification, which comes asynchronously.
    await().atMost(Duration.ofSeconds(10)).until(() -> metrics.registry().scrape().contains("jvm_gc_pause_seconds_count"));

    String scrape = metrics.registry().scrape();

    assertThat(scrape).containsPattern("vertx_eventbus_processed_total\\{[^}]*address=\"studio.test.echo\"");
    assertThat(scrape).doesNotContain("__vertx.reply");
    assertThat(scrape).contains("jvm_memory_used_bytes{area=\"heap\"", "jvm_threads_live_threads",
        "process_cpu_usage", "jvm_gc_pause_seconds_count", "vertx_pool_ratio");
  }
}

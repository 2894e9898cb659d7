package studio.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

@ExtendWith(VertxExtension.class)
class ManagementServerTest {

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the management port serves the process's /metrics without credentials, and nothing else")
  void servesMetricsOnly(Vertx vertx) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("studio_test_scraped_total").increment();
    HttpServer server = result(ManagementServer.listen(vertx, registry, "127.0.0.1", 0));
    WebClient client = WebClient.create(vertx);

    HttpResponse<Buffer> metrics = result(client.get(server.actualPort(), "127.0.0.1", "/metrics").send());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.bodyAsString()).contains("studio_test_scraped_total 1.0");

    assertThat(result(client.get(server.actualPort(), "127.0.0.1", "/rt/stats").send()).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("STUDIO_MANAGEMENT_PORT is off unless set; a bad value names the knob")
  void knob() {
    assertThat(ManagementServer.port(Settings.of(Map.of()))).isEmpty();
    assertThat(ManagementServer.port(Settings.of(Map.of("STUDIO_MANAGEMENT_PORT", "9464")))).isEqualTo(OptionalInt.of(9464));
    assertThatThrownBy(() -> ManagementServer.port(Settings.of(Map.of("STUDIO_MANAGEMENT_PORT", "metrics"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("STUDIO_MANAGEMENT_PORT");
  }
}

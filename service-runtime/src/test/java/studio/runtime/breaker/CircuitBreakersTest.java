package studio.runtime.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Against a real local HTTP server that fails on demand. */
class CircuitBreakersTest {
  private static final String DEPENDENCY = "127.0.0.1";
  private Vertx vertx;
  private HttpServer server;
  private WebClient client;
  private final AtomicInteger hits = new AtomicInteger();
  private volatile int status = 503;
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private CircuitBreakers breakers;

  /** A call that fails when the server answers anything but 200: a 4xx is the caller's fault, not an outage. */
  private static final class Refused extends RuntimeException {
    final int status;

    Refused(int status) {
      super("HTTP " + status, null, false, false);
      this.status = status;
    }
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = result(vertx.createHttpServer().requestHandler(request -> {
      hits.incrementAndGet();
      request.response().setStatusCode(status).end();
    }).listen(0, "127.0.0.1"));
    client = WebClient.create(vertx);
    breakers = new CircuitBreakers(vertx, "http", new BreakerConfig(3, Duration.ofMillis(300)),
        failure -> !(failure instanceof Refused refused) || refused.status >= 500, metrics);
  }

  @AfterEach
  void stop() throws Exception {
    breakers.close();
    result(vertx.close());
  }

  private Future<Integer> get() {
    return breakers.call(DEPENDENCY, () -> client.get(server.actualPort(), "127.0.0.1", "/").send()
        .map(response -> response.statusCode())
        .compose(code -> code == 200 ? Future.succeededFuture(code) : Future.failedFuture(new Refused(code))));
  }

  private Throwable failure(Future<?> call) throws Exception {
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    call.onComplete(done -> failed.complete(done.cause()));
    return failed.get(10, TimeUnit.SECONDS);
  }

  private double gauge() {
    return metrics.get("studio_circuit_breaker_state").tag("kind", "http").tag("dependency", DEPENDENCY).gauge().value();
  }

  @Test
  @DisplayName("after N failures the next call fails fast without reaching the server; after the reset timeout a probe closes it")
  void opensThenHalfOpenProbeCloses() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(failure(get())).isInstanceOf(Refused.class);
    }
    assertThat(hits).hasValue(3);
    assertThat(breakers.state(DEPENDENCY)).isEqualTo(CircuitBreakerState.OPEN);
    assertThat(gauge()).isEqualTo(2.0);

    Throwable refused = failure(get());
    assertThat(refused).isInstanceOf(CircuitOpen.class);
    assertThat(refused.getMessage()).startsWith("provider_unavailable: circuit open for http 127.0.0.1");
    assertThat(hits).as("an open circuit does not call the server").hasValue(3);

    status = 200;
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> breakers.state(DEPENDENCY) == CircuitBreakerState.HALF_OPEN);
    assertThat(gauge()).isEqualTo(1.0);
    assertThat(result(get())).isEqualTo(200);
    assertThat(hits).hasValue(4);
    assertThat(breakers.state(DEPENDENCY)).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(gauge()).isZero();
  }

  @Test
  @DisplayName("failures that say nothing about the dependency (a 4xx) never open the circuit")
  void clientErrorsDoNotCount() throws Exception {
    status = 404;
    for (int i = 0; i < 6; i++) {
      assertThat(failure(get())).isInstanceOf(Refused.class);
    }
    assertThat(hits).hasValue(6);
    assertThat(breakers.state(DEPENDENCY)).isEqualTo(CircuitBreakerState.CLOSED);
  }

  @Test
  @DisplayName("a failed probe opens the circuit again; another dependency has its own circuit")
  void failedProbeReopens() throws Exception {
    for (int i = 0; i < 3; i++) {
      failure(get());
    }
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> breakers.state(DEPENDENCY) == CircuitBreakerState.HALF_OPEN);
    assertThat(failure(get())).isInstanceOf(Refused.class);
    assertThat(breakers.state(DEPENDENCY)).isEqualTo(CircuitBreakerState.OPEN);
    assertThat(failure(get())).isInstanceOf(CircuitOpen.class);
    assertThat(hits).hasValue(4);
    assertThat(result(breakers.call("other.example", () -> Future.succeededFuture("ok")))).isEqualTo("ok");
    assertThat(breakers.state("other.example")).isEqualTo(CircuitBreakerState.CLOSED);
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

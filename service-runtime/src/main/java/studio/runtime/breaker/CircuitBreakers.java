package studio.runtime.breaker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One circuit breaker per external dependency of one kind (per LLM provider, per host), so an outage
 * fails calls at once instead of letting each one wait for its timeout. Only failures that
 * {@code outage} accepts count (a refused request or a cancel says nothing about the dependency's
 * health). Calls carry their own deadlines (which also reset the request), so the breaker's own
 * timeout is off; a call that hits its deadline counts as a failure. A refused call fails with
 * {@link CircuitOpen}.
 *
 * <p>State per breaker is the gauge {@code studio_circuit_breaker_state{kind, dependency}}: 0 closed,
 * 1 half-open, 2 open. Names come from user input for some kinds (hosts), so at most
 * {@value #MAX_BREAKERS} are kept; calls to further dependencies go unguarded.
 */
public final class CircuitBreakers {
  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakers.class);
  static final int MAX_BREAKERS = 256;
  private final Vertx vertx;
  private final String kind;
  private final BreakerConfig config;
  private final Predicate<Throwable> outage;
  private final MeterRegistry metrics;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  /** {@code kind} names the dependencies in logs and the metric ("llm", "http", "download"); {@code metrics} may be null. */
  public CircuitBreakers(Vertx vertx, String kind, BreakerConfig config, Predicate<Throwable> outage,
                         MeterRegistry metrics) {
    this.vertx = vertx;
    this.kind = kind;
    this.config = config;
    this.outage = outage;
    this.metrics = metrics;
  }

  /** Runs {@code call} through the breaker of {@code dependency} (a null name: unguarded). */
  public <T> Future<T> call(String dependency, Supplier<Future<T>> call) {
    CircuitBreaker breaker = dependency == null ? null : breaker(dependency.toLowerCase(Locale.ROOT));
    if (breaker == null) {
      return Future.<T>succeededFuture().compose(start -> call.get());
    }
    // Through a future, so a call that throws is a failed call (and counted like one).
    return breaker.<T>execute(() -> Future.<T>succeededFuture().compose(start -> call.get())).recover(failure -> Future.failedFuture(failure instanceof OpenCircuitException
        ? new CircuitOpen(kind + " " + dependency) : failure));
  }

  /** The state of {@code dependency}'s circuit; closed when no call went to it yet. */
  public CircuitBreakerState state(String dependency) {
    CircuitBreaker breaker = breakers.get(dependency.toLowerCase(Locale.ROOT));
    return breaker == null ? CircuitBreakerState.CLOSED : breaker.state();
  }

  public void close() {
    breakers.values().forEach(CircuitBreaker::close);
  }

  private CircuitBreaker breaker(String dependency) {
    CircuitBreaker existing = breakers.get(dependency);
    if (existing != null || breakers.size() >= MAX_BREAKERS) {
      return existing;
    }
    return breakers.computeIfAbsent(dependency, this::create);
  }

  private CircuitBreaker create(String dependency) {
    CircuitBreaker breaker = CircuitBreaker.create(kind + ":" + dependency, vertx, new CircuitBreakerOptions()
            .setMaxFailures(config.maxFailures())
            .setResetTimeout(config.resetTimeout().toMillis())
            .setTimeout(-1)
            // No state broadcast on the event bus every 2 s: the gauge below reports it.
            .setNotificationAddress(null))
        .failurePolicy(result -> result.failed() && outage.test(result.cause()))
        .openHandler(opened -> LOG.warn("{} {}: circuit open after {} failures; calls fail at once for {} ms", kind,
            dependency, config.maxFailures(), config.resetTimeout().toMillis()))
        .closeHandler(closed -> LOG.info("{} {}: circuit closed", kind, dependency));
    if (metrics != null) {
      Gauge.builder("studio_circuit_breaker_state", breaker, CircuitBreakers::stateValue)
          .description("circuit breaker per external dependency: 0 closed, 1 half-open, 2 open")
          .tag("kind", kind).tag("dependency", dependency)
          .register(metrics);
    }
    return breaker;
  }

  private static double stateValue(CircuitBreaker breaker) {
    return switch (breaker.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}

package studio.tasks.executor;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.Map;
import studio.runtime.breaker.CircuitBreakers;
import studio.runtime.egress.EgressNetwork;
import studio.tasks.TasksConfig;
import studio.tasks.execution.TaskFailure;
import studio.taskstore.ExecutorKind;

/** One executor per kind, created once per runner. */
public final class Executors {
  private final Map<ExecutorKind, Executor> byKind = new EnumMap<>(ExecutorKind.class);

  private Executors() {
  }

  /**
   * {@code network}: how the http executor resolves and dials ({@link EgressNetwork#SYSTEM} outside
   * tests); {@code metrics} gets the state of their circuit breakers.
   */
  public static Executors create(Vertx vertx, TasksConfig config, EgressNetwork network, MeterRegistry metrics) {
    Executors executors = new Executors();
    executors.add(new NoopExecutor());
    executors.add(new SleepExecutor());
    executors.add(new ShellExecutor(vertx, config.shell(), config.queue().concurrency()));
    executors.add(new HttpExecutor(vertx, config.http(), network,
        new CircuitBreakers(vertx, "http", config.breaker(), TaskFailure::outage, metrics)));
    executors.add(new LlmExecutor(vertx, config.llm(),
        new CircuitBreakers(vertx, "llm", config.breaker(), TaskFailure::outage, metrics)));
    return executors;
  }

  private void add(Executor executor) {
    byKind.put(executor.kind(), executor);
  }

  public Executor get(ExecutorKind kind) {
    Executor executor = byKind.get(kind);
    if (executor == null) {
      throw new IllegalStateException("no executor for " + kind);
    }
    return executor;
  }

  public Future<Void> close() {
    return Future.join(byKind.values().stream().map(Executor::close).toList()).mapEmpty();
  }
}

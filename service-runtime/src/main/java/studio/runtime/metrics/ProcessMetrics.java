package studio.runtime.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The process's one Prometheus registry, which every service's {@code /metrics} and the management
 * port scrape: Vert.x's own metrics through vertx-micrometer-metrics ({@code vertx_*}: HTTP server and
 * client, event bus, worker pools, and the Redis and PostgreSQL clients), the JVM's (heap, GC pauses,
 * threads, CPU) and the services' own ({@code studio_*}).
 */
public final class ProcessMetrics implements AutoCloseable {
  /**
   * Labels on Vert.x's meters. Every value comes from a bounded set: the route a request matched (its
   * template, never the raw path: users type paths, and each distinct one would be a new series), the
   * method and status, the pool, the event-bus side and address (our addresses are constants; Vert.x
   * leaves out its own reply addresses). No remote or local address: download hosts come from users.
   */
  static final EnumSet<Label> LABELS = EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE,
      Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE, Label.EB_ADDRESS, Label.EB_FAILURE);

  /** Vert.x's timers whose p99 the dashboard and alerts read: as Prometheus histograms, 1 ms to 30 s. */
  private static final MeterFilter LATENCY_HISTOGRAMS = new MeterFilter() {
    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
      return !HISTOGRAMS.contains(id.getName()) ? config : DistributionStatisticConfig.builder()
          .percentilesHistogram(true)
          .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
          .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
          .build().merge(config);
    }
  };
  private static final Set<String> HISTOGRAMS = Set.of("vertx.http.server.response.time",
      "vertx.redis.processing.time", "vertx.sql.processing.time");

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;

  private ProcessMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gc) {
    this.registry = registry;
    this.gc = gc;
  }

  public static ProcessMetrics create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // An HTTP client keeps one pool per host it dials and names it host:port; download hosts come from users.
    registry.config().meterFilter(MeterFilter.deny(id -> "http".equals(id.getTag("pool_type"))));
    registry.config().meterFilter(LATENCY_HISTOGRAMS);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    // Listens to the JVM's GC notifications until closed.
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return new ProcessMetrics(registry, gc);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Sets {@code options} to report Vert.x's metrics; build with {@link #vertxBuilder()} so they land here. */
  public VertxOptions report(VertxOptions options) {
    return options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setLabels(LABELS));
  }

  /** A Vert.x builder whose metrics go to this registry; the caller adds the options and, if any, the cluster manager. */
  public VertxBuilder vertxBuilder() {
    return Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Builds a standalone Vert.x that reports here. */
  public Vertx vertx(VertxOptions options) {
    return vertxBuilder().with(report(options)).build();
  }

  /** After Vert.x closed: stops listening to GC notifications. */
  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}

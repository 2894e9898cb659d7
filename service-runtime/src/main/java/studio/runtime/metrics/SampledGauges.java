package studio.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges whose values are answers of SQL queries, read every {@link #INTERVAL} by the async client and
 * cached: a scrape reads the cache and never waits on the database. A query that fails leaves its
 * gauges at NaN (unknown) until one succeeds, so a stale number never passes for a current one.
 *
 * <p>Components of one process may declare the same gauge (each producer's outbox relay reads the one
 * outbox table): the registry keeps the first registration, and every component re-registers its
 * gauges on each sample, so when the first stops and removes them the next sample of another brings
 * them back.
 */
public final class SampledGauges {
  public static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(SampledGauges.class);

  private final Vertx vertx;
  private final SqlClient client;
  private final MeterRegistry registry;
  private final List<Query> queries = new ArrayList<>();
  private final Set<Meter.Id> registered = ConcurrentHashMap.newKeySet();
  private long timer = -1;
  private volatile boolean stopped;

  public SampledGauges(Vertx vertx, SqlClient client, MeterRegistry registry) {
    this.vertx = vertx;
    this.client = client;
    this.registry = registry;
  }

  /** {@code sql} answers one number in its first column; no row reads as 0 (nothing waiting, nothing old). */
  public SampledGauges gauge(String name, String description, String sql) {
    queries.add(new Query(name, description, null, sql));
    return this;
  }

  /**
   * {@code sql} answers rows of (label value, number): one gauge per value, tagged {@code label}. A value
   * that stops appearing reads 0, so its series stays until the process ends.
   */
  public SampledGauges gaugePerLabel(String name, String description, String label, String sql) {
    queries.add(new Query(name, description, label, sql));
    return this;
  }

  /** Samples now, so the gauges exist before the first scrape, then every interval. */
  public Future<Void> start() {
    timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> sample());
    return sample();
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    registered.forEach(registry::remove);
    registered.clear();
  }

  private Future<Void> sample() {
    List<Future<Void>> samples = new ArrayList<>();
    for (Query query : queries) {
      samples.add(client.query(query.sql).execute()
          .map(rows -> {
            query.read(rows);
            return (Void) null;
          })
          .recover(failure -> {
            LOG.debug("could not sample {}: {}", query.name, failure.getMessage());
            query.unknown();
            return Future.succeededFuture();
          })
          .onComplete(done -> query.values.forEach((labelValue, value) -> register(query, labelValue, value))));
    }
    return Future.join(samples).mapEmpty();
  }

  private void register(Query query, String labelValue, Value value) {
    if (stopped) {
      return; // a sample still in flight when this stopped must not bring its gauges back
    }
    Gauge.Builder<Value> gauge = Gauge.builder(query.name, value, Value::get).description(query.description)
        .strongReference(true);
    if (query.label != null) {
      gauge.tag(query.label, labelValue);
    }
    registered.add(gauge.register(registry).getId());
  }

  /** A cached number; volatile because the scrape reads it on another thread. */
  private static final class Value {
    private volatile double value;

    double get() {
      return value;
    }
  }

  private static final class Query {
    private static final String UNLABELLED = "";
    final String name;
    final String description;
    final String label;
    final String sql;
    final Map<String, Value> values = new ConcurrentHashMap<>();

    Query(String name, String description, String label, String sql) {
      this.name = name;
      this.description = description;
      this.label = label;
      this.sql = sql;
    }

    void read(Iterable<Row> rows) {
      Set<String> seen = new HashSet<>();
      for (Row row : rows) {
        String key = label == null ? UNLABELLED : String.valueOf(row.getValue(0));
        Number number = (Number) row.getValue(label == null ? 0 : 1);
        values.computeIfAbsent(key, any -> new Value()).value = number == null ? 0 : number.doubleValue();
        seen.add(key);
      }
      if (label == null && seen.isEmpty()) {
        values.computeIfAbsent(UNLABELLED, any -> new Value()).value = 0;
        seen.add(UNLABELLED);
      }
      values.forEach((key, value) -> {
        if (!seen.contains(key)) {
          value.value = 0;
        }
      });
    }

    void unknown() {
      if (label == null) {
        values.computeIfAbsent(UNLABELLED, any -> new Value());
      }
      values.values().forEach(value -> value.value = Double.NaN);
    }
  }
}

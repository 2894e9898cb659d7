package studio.runtime.heartbeat;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import studio.runtime.metrics.SampledGauges;

/** Reads the heartbeats: which worker processes beat within a window. */
public final class Instances {
  /** Three missed beats and an instance counts as gone. */
  public static final Duration ALIVE_WINDOW = InstanceHeartbeat.INTERVAL.multipliedBy(3);
  /**
   * How long an instance that stopped beating without deregistering (a clean stop deletes its row) counts
   * as silent: long enough for an alert to fire, short enough that it clears once a crash is behind us.
   */
  public static final Duration SILENT_HORIZON = Duration.ofMinutes(10);
  private static final String BY_SERVICE = "SELECT service, count(*) FILTER (WHERE last_seen_at %s now() - "
      + "make_interval(secs => " + ALIVE_WINDOW.toSeconds() + ")) FROM service_instance "
      + "WHERE last_seen_at > now() - make_interval(secs => " + SILENT_HORIZON.toSeconds() + ") GROUP BY service";

  private Instances() {
  }

  /**
   * Per worker service seen within the horizon: {@code studio_worker_instances_alive} (beat within the
   * alive window) and {@code studio_worker_instances_silent} (stopped beating without deregistering:
   * crashed, hung or cut off from PostgreSQL).
   */
  public static SampledGauges gauges(Vertx vertx, Pool pool, MeterRegistry registry) {
    return new SampledGauges(vertx, pool, registry)
        .gaugePerLabel("studio_worker_instances_alive", "worker instances whose heartbeat is current", "service",
            BY_SERVICE.formatted(">"))
        .gaugePerLabel("studio_worker_instances_silent",
            "worker instances that stopped beating in the last " + SILENT_HORIZON.toMinutes()
                + " minutes without deregistering", "service", BY_SERVICE.formatted("<="));
  }

  public static Future<JsonArray> alive(Pool pool) {
    return pool.preparedQuery("""
            SELECT instance_id, service, host, pid, started_at, last_seen_at, details
            FROM service_instance
            WHERE last_seen_at > now() - make_interval(secs => $1)
            ORDER BY service, started_at""")
        .execute(Tuple.of((double) ALIVE_WINDOW.toSeconds()))
        .map(rows -> {
          JsonArray instances = new JsonArray();
          for (Row row : rows) {
            instances.add(new JsonObject()
                .put("instance_id", row.getString("instance_id"))
                .put("service", row.getString("service"))
                .put("host", row.getString("host"))
                .put("pid", row.getLong("pid"))
                .put("started_at", row.getOffsetDateTime("started_at").toString())
                .put("last_seen_at", row.getOffsetDateTime("last_seen_at").toString())
                .put("details", row.getJsonObject("details")));
          }
          return instances;
        });
  }
}

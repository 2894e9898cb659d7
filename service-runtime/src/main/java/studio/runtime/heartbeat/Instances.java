package studio.runtime.heartbeat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/** Reads the heartbeats: which worker processes beat within a window. */
public final class Instances {
  /** Three missed beats and an instance counts as gone. */
  public static final Duration ALIVE_WINDOW = InstanceHeartbeat.INTERVAL.multipliedBy(3);

  private Instances() {
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

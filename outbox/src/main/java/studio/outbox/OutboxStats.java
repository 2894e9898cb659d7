package studio.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import studio.runtime.metrics.SampledGauges;

/**
 * What operators need to know about the outbox: rows waiting for the relay, rows dead-lettered (they
 * can never be published, see {@link OutboxRelay}) and the newest of those with their errors. Each
 * count reads a partial index, so it stays cheap however many sent rows the table keeps.
 */
public final class OutboxStats {
  private static final String PENDING = "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL";
  /** The oldest pending row by id (the relay's order), through the partial index of pending rows. */
  private static final String OLDEST_PENDING_AGE = "SELECT EXTRACT(EPOCH FROM now() - created_at) FROM outbox "
      + "WHERE sent_at IS NULL AND dead_at IS NULL ORDER BY id LIMIT 1";

  private OutboxStats() {
  }

  /**
   * The backlog as gauges: {@code studio_outbox_pending} and {@code studio_outbox_oldest_pending_age_seconds}
   * (0 when nothing waits). Every producer's relay declares them; they read the same table.
   */
  public static SampledGauges gauges(Vertx vertx, SqlClient client, MeterRegistry registry) {
    return new SampledGauges(vertx, client, registry)
        .gauge("studio_outbox_pending", "outbox rows waiting for the relay (not sent, not dead-lettered)", PENDING)
        .gauge("studio_outbox_oldest_pending_age_seconds",
            "seconds since the oldest waiting outbox row was written: how late the events behind it reach browsers",
            OLDEST_PENDING_AGE);
  }

  public static Future<JsonObject> read(SqlClient client, int newest) {
    Future<Long> pending = count(client, PENDING);
    Future<Long> dead = count(client, "SELECT count(*) FROM outbox WHERE dead_at IS NOT NULL");
    Future<JsonArray> newestDead = client.preparedQuery("""
            SELECT id, created_at, dead_at, attempts, last_error, draft->>'event_type' AS event_type,
                   draft->>'entity_kind' AS entity_kind, draft->>'entity_id' AS entity_id
            FROM outbox WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC LIMIT $1""")
        .execute(Tuple.of(newest))
        .map(rows -> {
          JsonArray items = new JsonArray();
          rows.forEach(row -> items.add(deadLetter(row)));
          return items;
        });
    return Future.all(pending, dead, newestDead).map(all -> new JsonObject()
        .put("pending", pending.result())
        .put("dead_lettered", dead.result())
        .put("newest_dead_letters", newestDead.result()));
  }

  private static Future<Long> count(SqlClient client, String sql) {
    return client.query(sql).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  private static JsonObject deadLetter(Row row) {
    return new JsonObject().put("id", row.getLong("id"))
        .put("created_at", row.getOffsetDateTime("created_at").toString())
        .put("dead_at", row.getOffsetDateTime("dead_at").toString())
        .put("attempts", row.getInteger("attempts"))
        .put("event_type", row.getString("event_type"))
        .put("entity_kind", row.getString("entity_kind"))
        .put("entity_id", row.getString("entity_id"))
        .put("last_error", row.getString("last_error"));
  }
}

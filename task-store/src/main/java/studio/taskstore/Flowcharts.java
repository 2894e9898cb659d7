package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** Stored flowcharts (validated DAGs) and their runtime view: the latest run and its nodes. */
public final class Flowcharts {
  private Flowcharts() {
  }

  public static Future<JsonObject> create(SqlClient client, String name, FlowchartDefinition definition) {
    return client.preparedQuery("INSERT INTO flowchart (name, definition) VALUES ($1, $2) RETURNING *")
        .execute(Tuple.of(name, definition.toJson()))
        .map(rows -> json(rows.iterator().next()));
  }

  public static Future<JsonObject> find(SqlClient client, long id) {
    return client.preparedQuery("SELECT * FROM flowchart WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : json(rows.iterator().next()));
  }

  /** The id of the flowchart's latest run, or null before its first run. */
  public static Future<Long> latestRun(SqlClient client, long flowchartId) {
    return client.preparedQuery("SELECT max(id) AS id FROM flowchart_run WHERE flowchart_id = $1")
        .execute(Tuple.of(flowchartId))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  private static JsonObject json(Row row) {
    return new JsonObject().put("id", row.getLong("id")).put("name", row.getString("name"))
        .put("definition", row.getJsonObject("definition")).put("version", row.getLong("version"))
        .put("created_at", row.getOffsetDateTime("created_at").toString());
  }
}

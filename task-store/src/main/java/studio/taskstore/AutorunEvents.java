package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.EntityKind;
import studio.contract.envelope.EventType;
import studio.outbox.Outbox;

/**
 * {@code autorun.*} events to {@code run:<id>}, beside its tasks' {@code node.task.*} events. Each
 * takes the run's next version (entity {@code run:<id>}), so a page that hydrated from
 * {@code GET /api/v1/runs/<id>} drops what it already shows.
 */
final class AutorunEvents {
  private AutorunEvents() {
  }

  static Future<Long> updated(SqlClient tx, AutorunState run, JsonObject counts) {
    return append(tx, run, EventType.AUTORUN_UPDATED, summary(run, counts));
  }

  static Future<Long> nodeSet(SqlClient tx, AutorunState run, JsonObject counts) {
    return append(tx, run, EventType.AUTORUN_NODE_SET_UPDATED, summary(run, counts).put("nodes", run.nodes.copy()));
  }

  private static JsonObject summary(AutorunState run, JsonObject counts) {
    return new JsonObject().put("run_id", run.id).put("status", run.status).put("total", run.nodes.size())
        .put("counts", counts.copy());
  }

  private static Future<Long> append(SqlClient tx, AutorunState run, EventType type, JsonObject payload) {
    long version = run.nextVersion();
    payload.put("version", version);
    return Outbox.append(tx, new DraftEvent(type, EntityKind.RUN, Long.toString(run.id), List.of(Autoruns.room(run.id)), null,
        payload, null, version));
  }
}

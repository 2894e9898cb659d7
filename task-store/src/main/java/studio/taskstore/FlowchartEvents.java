package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import java.util.Map;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.EntityKind;
import studio.contract.envelope.EventType;
import studio.contract.envelope.Preview;
import studio.contract.room.RoomKey;
import studio.contract.room.RoomKind;
import studio.outbox.Outbox;

/**
 * {@code flowchart.*} events to {@code flowchart:<id>} and {@code flowchart_run:<id>}. They belong
 * to the run's sequence stream and each takes the run's next version, so a page that hydrated from
 * the run (or the runtime endpoint) drops what it already shows.
 */
final class FlowchartEvents {
  private FlowchartEvents() {
  }

  static Future<Long> node(SqlClient tx, RunState run, TaskRow task) {
    JsonObject payload = new JsonObject().put("run_id", run.id).put("flowchart_id", run.flowchartId)
        .put("node_key", task.nodeKey()).put("task_id", task.id()).put("status", task.status().wire())
        .put("stage", task.stage()).put("attempts", task.attempts());
    Preview.putText(payload, "error", task.error());
    return append(tx, run, EventType.FLOWCHART_NODE_UPDATED, payload, RuntimeMetadata.of(task));
  }

  /** The set of nodes running now, in definition order, for the canvas; sent whenever it changes. */
  static Future<Long> runningSet(SqlClient tx, RunState run) {
    JsonObject payload = new JsonObject().put("run_id", run.id).put("flowchart_id", run.flowchartId)
        .put("status", run.status).put("running", new JsonArray(run.running()));
    return append(tx, run, EventType.FLOWCHART_NODE_RUNNING_SET, payload, null);
  }

  static Future<Long> run(SqlClient tx, RunState run) {
    return append(tx, run, EventType.FLOWCHART_RUN_UPDATED, Preview.putText(run.summary(), "error", run.error), null);
  }

  static Future<Long> runtime(SqlClient tx, RunState run, Map<String, TaskStatus> nodes) {
    JsonObject counts = new JsonObject();
    JsonObject byNode = new JsonObject();
    nodes.forEach((key, status) -> {
      counts.put(status.wire(), counts.getInteger(status.wire(), 0) + 1);
      byNode.put(key, status.wire());
    });
    JsonObject payload = new JsonObject().put("run_id", run.id).put("flowchart_id", run.flowchartId)
        .put("status", run.status).put("counts", counts).put("nodes", byNode);
    return append(tx, run, EventType.FLOWCHART_RUNTIME_UPDATED, payload, null);
  }

  static List<RoomKey> rooms(RunState run) {
    return List.of(RoomKey.of(RoomKind.FLOWCHART, Long.toString(run.flowchartId)),
        RoomKey.of(RoomKind.FLOWCHART_RUN, Long.toString(run.id)));
  }

  private static Future<Long> append(SqlClient tx, RunState run, EventType type, JsonObject payload, JsonObject runtime) {
    long version = run.nextVersion();
    payload.put("version", version);
    return Outbox.append(tx, new DraftEvent(type, EntityKind.FLOWCHART_RUN, Long.toString(run.id), rooms(run), runtime,
        payload, null, version));
  }
}

package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import studio.contract.envelope.Preview;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.json.JsonFields;
import studio.contract.room.RoomKey;
import studio.contract.room.RoomKind;

/**
 * Runs (the old "autorun"): tasks started together, reporting to {@code run:<id>}. A run holds no
 * state of its own beyond what it last announced: its status and node set are derived from its tasks
 * whenever one of them changes status, under the run's row lock and in that change's transaction,
 * and announced ({@code autorun.updated}, {@code autorun.node_set.updated}) only when they changed.
 */
public final class Autoruns {
  public static final int MAX_TASKS = 100;
  private static final String TASKS = "SELECT * FROM task WHERE run_id = $1 AND flowchart_run_id IS NULL ORDER BY id";

  private Autoruns() {
  }

  /** What a cancel did: the run after it, whether any task changed, the running tasks whose runners must stop. */
  public record Change(JsonObject run, boolean changed, List<Long> cancelSignals) {
  }

  /** {@code {"tasks": [<task spec>, ...]}}, 1 to {@link #MAX_TASKS}; a bad spec is refused naming it ({@code tasks[2].executor}). */
  public static List<TaskSpec> parse(JsonObject body) {
    JsonFields fields = new JsonFields(body, ErrorCode.INVALID_REQUEST);
    JsonArray tasks = fields.array("tasks", true);
    if (tasks.isEmpty() || tasks.size() > MAX_TASKS) {
      throw fields.fail("tasks", "must hold 1-" + MAX_TASKS + " task specs, got " + tasks.size());
    }
    List<TaskSpec> specs = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      String path = "tasks[" + i + "]";
      if (!(tasks.getValue(i) instanceof JsonObject spec)) {
        throw fields.fail(path, "must be a task spec object {\"executor\", \"params\", \"max_attempts\"}");
      }
      specs.add(TaskSpec.parse(spec, path));
    }
    return specs;
  }

  /** Creates the run and its tasks ({@code queued}, in the given order) with all their events; answers the run. */
  public static Future<JsonObject> create(SqlClient tx, List<TaskSpec> specs) {
    return tx.preparedQuery("INSERT INTO autorun (status) VALUES ($1) RETURNING *")
        .execute(Tuple.of(AutorunStatus.QUEUED))
        .map(rows -> new AutorunState(rows.iterator().next()))
        .compose(run -> {
          Future<Void> chain = Future.succeededFuture();
          for (TaskSpec spec : specs) {
            chain = chain.compose(done -> Tasks.enqueue(tx, spec, TaskOrigin.run(run.id)).mapEmpty());
          }
          return chain.compose(done -> refresh(tx, run)).compose(done -> run.save(tx)).compose(saved -> find(tx, run.id));
        });
  }

  /** The room every event of the run and of its tasks goes to. */
  public static RoomKey room(long runId) {
    return RoomKey.of(RoomKind.RUN, Long.toString(runId));
  }

  /** Locks the run row; null if there is none (a task's run_id may name a caller's own group). Take it before task rows. */
  static Future<AutorunState> lock(SqlClient tx, long runId) {
    return tx.preparedQuery("SELECT * FROM autorun WHERE id = $1 FOR UPDATE").execute(Tuple.of(runId))
        .map(rows -> rows.size() == 0 ? null : new AutorunState(rows.iterator().next()));
  }

  /**
   * Derives status and node set from the tasks as this transaction sees them and announces what
   * changed. Every status change of a run's task calls this under the run's lock; a claim (which
   * locks task rows only) is announced by the runner's {@link TaskTransitions#started} right after.
   */
  static Future<Void> refresh(SqlClient tx, AutorunState run) {
    return tx.preparedQuery(TASKS).execute(Tuple.of(run.id)).compose(rows -> {
      List<TaskRow> tasks = Tasks.rows(rows);
      String status = AutorunStatus.of(tasks.stream().map(TaskRow::status).toList());
      JsonArray nodes = new JsonArray();
      tasks.forEach(task -> nodes.add(new JsonObject().put("task_id", task.id()).put("executor", task.executor().wire())
          .put("status", task.status().wire()).put("attempts", task.attempts())));
      boolean statusChanged = run.unannounced() || !status.equals(run.status);
      boolean nodesChanged = run.unannounced() || !signature(nodes).equals(signature(run.nodes));
      run.status = status;
      run.nodes = nodes;
      JsonObject counts = counts(tasks);
      Future<Long> events = statusChanged ? AutorunEvents.updated(tx, run, counts) : Future.succeededFuture();
      return (nodesChanged ? events.compose(id -> AutorunEvents.nodeSet(tx, run, counts)) : events).mapEmpty();
    });
  }

  /**
   * Cancels every task of the run that has not ended, by the one cancel decision of
   * {@link TaskTransitions#cancelling}, in one transaction: the run goes to its end (or stays running
   * while runners stop their tasks) in one announcement, not one per task.
   */
  public static Future<Change> cancel(SqlClient tx, long runId) {
    return lock(tx, runId).compose(run -> {
      if (run == null) {
        throw new ContractException(ErrorCode.NOT_FOUND, "no run " + runId);
      }
      return tx.preparedQuery(TASKS + " FOR UPDATE").execute(Tuple.of(runId)).compose(rows -> {
        List<TaskUpdate> updates = new ArrayList<>();
        List<Long> signals = new ArrayList<>();
        for (TaskRow task : Tasks.rows(rows)) {
          TaskUpdate update = TaskTransitions.cancelling(task);
          if (update != null) {
            updates.add(update);
            if (task.status() == TaskStatus.RUNNING) {
              signals.add(task.id());
            }
          }
        }
        Future<Void> chain = Future.succeededFuture();
        for (TaskUpdate update : updates) {
          chain = chain.compose(done -> Tasks.apply(tx, update).compose(task -> TaskEvents.changed(tx, task)));
        }
        return chain.compose(done -> refresh(tx, run)).compose(done -> run.save(tx))
            .compose(saved -> find(tx, runId)).map(json -> new Change(json, !updates.isEmpty(), signals));
      });
    });
  }

  /** The run with each task's state, for the run page and hydration; null if there is no such run. */
  public static Future<JsonObject> find(SqlClient client, long runId) {
    return client.preparedQuery("SELECT * FROM autorun WHERE id = $1").execute(Tuple.of(runId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(null);
      }
      Row row = rows.iterator().next();
      return client.preparedQuery(TASKS).execute(Tuple.of(runId)).map(tasks -> describe(row, Tasks.rows(tasks)));
    });
  }

  private static JsonObject describe(Row row, List<TaskRow> tasks) {
    JsonArray nodes = new JsonArray();
    for (TaskRow task : tasks) {
      nodes.add(Preview.putText(new JsonObject().put("task_id", task.id()).put("executor", task.executor().wire())
          .put("status", task.status().wire()).put("stage", task.stage()).put("attempts", task.attempts())
          .put("max_attempts", task.maxAttempts()).put("cancel_requested", task.cancelRequested())
          .put("version", task.version()).put("runtime", RuntimeMetadata.of(task))
          .put("started_at", text(task.startedAt())).put("finished_at", text(task.finishedAt())), "error", task.error()));
    }
    return new JsonObject().put("id", row.getLong("id")).put("status", row.getString("status"))
        .put("version", row.getLong("version")).put("total", tasks.size()).put("counts", counts(tasks))
        .put("created_at", row.getOffsetDateTime("created_at").toString())
        .put("finished_at", text(row.getOffsetDateTime("finished_at")))
        .put("nodes", nodes);
  }

  private static JsonObject counts(List<TaskRow> tasks) {
    JsonObject counts = new JsonObject();
    tasks.forEach(task -> counts.put(task.status().wire(), counts.getInteger(task.status().wire(), 0) + 1));
    return counts;
  }

  /** JSONB does not keep key order or number types, so node sets are compared field by field. */
  private static String signature(JsonArray nodes) {
    return nodes.stream().map(JsonObject.class::cast)
        .map(node -> node.getLong("task_id") + ":" + node.getString("status") + ":" + node.getInteger("attempts"))
        .collect(Collectors.joining(","));
  }

  private static String text(OffsetDateTime time) {
    return time == null ? null : time.toString();
  }
}

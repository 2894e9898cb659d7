package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.taskstore.RunState.FailureMode;

/**
 * Flowchart runs, driven entirely by state in PostgreSQL: each node is a task row ({@code waiting}
 * until its dependencies succeed), and whoever changes a node (a runner finishing it, web cancelling
 * the run) advances the run in the same transaction, under the run's row lock. No process holds a
 * run in memory, so a runner dying mid-run loses nothing: its node's lease expires and another
 * runner carries on.
 */
public final class FlowchartRuns {
  public static final int DEFAULT_MAX_PARALLEL = 4;
  public static final int MAX_PARALLEL_LIMIT = 64;

  private FlowchartRuns() {
  }

  /** What a started or cancelled run looks like, and the running tasks whose runners must be told to stop. */
  public record Change(JsonObject run, List<Long> cancelSignals) {
  }

  public static Future<Change> start(SqlClient tx, long flowchartId, FailureMode mode, int maxParallel) {
    return tx.preparedQuery("""
            INSERT INTO flowchart_run (flowchart_id, definition, status, failure_mode, max_parallel)
            SELECT id, definition, $2, $3, $4 FROM flowchart WHERE id = $1 RETURNING *""")
        .execute(Tuple.of(flowchartId, RunState.RUNNING, mode.wire(), maxParallel))
        .compose(rows -> {
          if (rows.size() == 0) {
            throw new ContractException(ErrorCode.NOT_FOUND, "no flowchart " + flowchartId);
          }
          RunState run = new RunState(rows.iterator().next());
          return createNodes(tx, run)
              .compose(done -> FlowchartEvents.run(tx, run))
              .compose(event -> advance(tx, run))
              .compose(signals -> run.save(tx).compose(saved -> find(tx, run.id)).map(json -> new Change(json, signals)));
        });
  }

  private static Future<Void> createNodes(SqlClient tx, RunState run) {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, TaskSpec> node : run.definition.nodes().entrySet()) {
      chain = chain.compose(done -> Tasks.enqueue(tx, node.getValue(), TaskOrigin.flowchartNode(run.id, node.getKey()),
          TaskStatus.WAITING).mapEmpty());
    }
    return chain;
  }

  /** Locks the run row; null if there is none. Take it before any of the run's task rows. */
  public static Future<RunState> lock(SqlClient tx, long runId) {
    return tx.preparedQuery("SELECT * FROM flowchart_run WHERE id = $1 FOR UPDATE").execute(Tuple.of(runId))
        .map(rows -> rows.size() == 0 ? null : new RunState(rows.iterator().next()));
  }

  public static Future<Change> cancel(SqlClient tx, long runId) {
    return lock(tx, runId).compose(run -> {
      if (run == null) {
        throw new ContractException(ErrorCode.NOT_FOUND, "no flowchart run " + runId);
      }
      if (run.terminal() || run.status.equals(RunState.CANCELLING)) {
        return find(tx, runId).map(json -> new Change(json, List.of()));
      }
      run.status(RunState.CANCELLING, "cancelled on request");
      return FlowchartEvents.run(tx, run)
          .compose(event -> advance(tx, run))
          .compose(signals -> run.save(tx).compose(saved -> find(tx, runId)).map(json -> new Change(json, signals)));
    });
  }

  /** A node's task changed status (the caller holds the run, wrote the task and its task events). */
  static Future<List<Long>> nodeChanged(SqlClient tx, RunState run, TaskRow task) {
    Future<Long> event = announce(tx, run, task);
    if (!task.status().terminal()) {
      return event.map(List.of());
    }
    boolean failed = task.status() == TaskStatus.FAILED || task.status() == TaskStatus.CANCELLED;
    if (failed && run.failureMode == FailureMode.FAIL_FAST && run.status.equals(RunState.RUNNING)) {
      run.status(RunState.FAILING, "node " + task.nodeKey() + " " + task.status().wire()
          + (task.error() == null ? "" : ": " + task.error()));
      event = event.compose(id -> FlowchartEvents.run(tx, run));
    }
    return event.compose(id -> advance(tx, run));
  }

  /** A claimed node's runner is about to start it (the caller holds the run and read the task running). */
  static Future<Long> nodeStarted(SqlClient tx, RunState run, TaskRow task) {
    return announce(tx, run, task);
  }

  /** {@code flowchart.node.updated}, then {@code flowchart.node.running_set} when the node entered or left it. */
  private static Future<Long> announce(SqlClient tx, RunState run, TaskRow task) {
    Future<Long> event = FlowchartEvents.node(tx, run, task);
    return run.running(task.nodeKey(), task.status() == TaskStatus.RUNNING)
        ? event.compose(id -> FlowchartEvents.runningSet(tx, run)) : event;
  }

  /**
   * Moves every node as far as the run's state allows: ready nodes to {@code queued} (up to the
   * run's parallelism), nodes behind a failure to {@code skipped}, everything to a stop while the run
   * is cancelling or failing; then ends the run once no node is left to move.
   */
  static Future<List<Long>> advance(SqlClient tx, RunState run) {
    if (run.terminal()) {
      return Future.succeededFuture(List.of());
    }
    return tx.preparedQuery("SELECT * FROM task WHERE flowchart_run_id = $1 ORDER BY id FOR UPDATE")
        .execute(Tuple.of(run.id))
        .compose(rows -> {
          Map<String, TaskRow> nodes = new LinkedHashMap<>();
          Tasks.rows(rows).forEach(task -> nodes.put(task.nodeKey(), task));
          List<TaskUpdate> updates = new ArrayList<>();
          List<Long> signals = new ArrayList<>();
          plan(run, nodes, updates, signals);
          Future<Void> chain = Future.succeededFuture();
          for (TaskUpdate update : updates) {
            chain = chain.compose(done -> Tasks.apply(tx, update)
                .compose(task -> TaskEvents.changed(tx, task).map(task))
                .compose(task -> {
                  nodes.put(task.nodeKey(), task);
                  return update.changesStatus() ? FlowchartEvents.node(tx, run, task).mapEmpty() : Future.<Void>succeededFuture();
                }));
          }
          return chain.compose(done -> finishIfDone(tx, run, nodes, !updates.isEmpty())).map(signals);
        });
  }

  /** Decides the node changes; repeats until nothing moves, so a skip cascades down the graph in one pass. */
  private static void plan(RunState run, Map<String, TaskRow> nodes, List<TaskUpdate> updates, List<Long> signals) {
    Map<String, TaskStatus> status = new LinkedHashMap<>();
    nodes.forEach((key, task) -> status.put(key, task.status()));
    Map<String, TaskUpdate> planned = new LinkedHashMap<>();
    long active = status.values().stream().filter(s -> s == TaskStatus.QUEUED || s == TaskStatus.RUNNING).count();
    boolean moved = true;
    while (moved) {
      moved = false;
      for (TaskRow task : nodes.values()) {
        String key = task.nodeKey();
        TaskStatus now = status.get(key);
        TaskStatus next = nextStatus(run, key, now, status, active);
        if (next != null && next != now) {
          planned.put(key, TaskUpdate.of(task).status(next));
          if (next.terminal()) {
            planned.get(key).finish(next);
          }
          if (next == TaskStatus.QUEUED) {
            active++;
          } else if (now == TaskStatus.QUEUED) {
            active--;
          }
          status.put(key, next);
          moved = true;
        } else if (now == TaskStatus.RUNNING && run.stopping() && !task.cancelRequested() && !planned.containsKey(key)) {
          planned.put(key, TaskUpdate.of(task).requestCancel());
          signals.add(task.id());
        }
      }
    }
    updates.addAll(planned.values());
  }

  private static TaskStatus nextStatus(RunState run, String key, TaskStatus now, Map<String, TaskStatus> status, long active) {
    if (run.stopping() && (now == TaskStatus.WAITING || now == TaskStatus.QUEUED)) {
      return run.status.equals(RunState.CANCELLING) || now == TaskStatus.QUEUED ? TaskStatus.CANCELLED : TaskStatus.SKIPPED;
    }
    if (now != TaskStatus.WAITING) {
      return null;
    }
    List<TaskStatus> dependencies = run.definition.predecessors(key).stream().map(status::get).toList();
    if (dependencies.stream().anyMatch(s -> s.terminal() && s != TaskStatus.SUCCEEDED)) {
      return TaskStatus.SKIPPED;
    }
    if (dependencies.stream().allMatch(s -> s == TaskStatus.SUCCEEDED) && active < run.maxParallel) {
      return TaskStatus.QUEUED;
    }
    return null;
  }

  private static Future<Void> finishIfDone(SqlClient tx, RunState run, Map<String, TaskRow> nodes, boolean changed) {
    Map<String, TaskStatus> status = new LinkedHashMap<>();
    nodes.forEach((key, task) -> status.put(key, task.status()));
    boolean done = status.values().stream().allMatch(TaskStatus::terminal);
    Future<Long> events = Future.succeededFuture();
    if (done) {
      long unsuccessful = status.values().stream().filter(s -> s != TaskStatus.SUCCEEDED).count();
      String end = switch (run.status) {
        case RunState.CANCELLING -> RunState.CANCELLED;
        case RunState.FAILING -> RunState.FAILED;
        default -> unsuccessful == 0 ? RunState.SUCCEEDED : RunState.FAILED;
      };
      run.status(end, end.equals(RunState.FAILED) && run.error == null ? unsuccessful + " node(s) did not succeed" : null);
      events = FlowchartEvents.run(tx, run);
    }
    return done || changed ? events.compose(id -> FlowchartEvents.runtime(tx, run, status)).mapEmpty() : events.mapEmpty();
  }

  /** The run with each node's state, for the run page and hydration. */
  public static Future<JsonObject> find(SqlClient client, long runId) {
    return client.preparedQuery("SELECT * FROM flowchart_run WHERE id = $1").execute(Tuple.of(runId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          Row row = rows.iterator().next();
          return client.preparedQuery("SELECT * FROM task WHERE flowchart_run_id = $1 ORDER BY id").execute(Tuple.of(runId))
              .map(tasks -> describe(row, Tasks.rows(tasks)));
        });
  }

  private static JsonObject describe(Row row, List<TaskRow> tasks) {
    FlowchartDefinition definition = FlowchartDefinition.parse(row.getJsonObject("definition"));
    JsonArray nodes = new JsonArray();
    for (TaskRow task : tasks) {
      nodes.add(new JsonObject().put("key", task.nodeKey()).put("task_id", task.id())
          .put("depends_on", new JsonArray(definition.predecessors(task.nodeKey())))
          .put("status", task.status().wire()).put("stage", task.stage()).put("attempts", task.attempts())
          .put("error", task.error()).put("version", task.version())
          .put("started_at", task.startedAt() == null ? null : task.startedAt().toString())
          .put("finished_at", task.finishedAt() == null ? null : task.finishedAt().toString()));
    }
    return new JsonObject().put("id", row.getLong("id")).put("flowchart_id", row.getLong("flowchart_id"))
        .put("status", row.getString("status")).put("failure_mode", row.getString("failure_mode"))
        .put("max_parallel", row.getInteger("max_parallel")).put("error", row.getString("error"))
        .put("version", row.getLong("version")).put("created_at", row.getOffsetDateTime("created_at").toString())
        .put("finished_at", row.getOffsetDateTime("finished_at") == null ? null : row.getOffsetDateTime("finished_at").toString())
        .put("running", row.getValue("running_set"))
        .put("nodes", nodes);
  }
}

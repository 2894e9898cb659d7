package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/** The task table: enqueue, read, list, lock and write. Callers own the transaction. */
public final class Tasks {
  public static final int MAX_PAGE = 500;
  private static final String INSERT = """
      INSERT INTO task (executor, spec, status, stage, max_attempts, run_id, flowchart_run_id, node_key, chat_turn_id)
      VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8) RETURNING *""";
  private static final String UPDATE = """
      UPDATE task SET status = $2, stage = $3, result = $4, error = $5, runtime = $6, cancel_requested = $7,
        lease_owner = CASE WHEN $8 THEN NULL ELSE lease_owner END,
        lease_expires_at = CASE WHEN $8 THEN NULL ELSE lease_expires_at END,
        run_after = CASE WHEN $9::float8 IS NULL THEN run_after ELSE now() + make_interval(secs => $9::float8) END,
        finished_at = CASE WHEN $10 THEN now() ELSE finished_at END,
        version = version + 1, updated_at = now()
      WHERE id = $1 RETURNING *""";

  private Tasks() {
  }

  /** Inserts a task ({@code queued}, or {@code waiting} for a flowchart node) and its first event. */
  public static Future<TaskRow> enqueue(SqlClient tx, TaskSpec spec, TaskOrigin origin, TaskStatus initial) {
    return tx.preparedQuery(INSERT)
        .execute(Tuple.tuple()
            .addString(spec.executor().wire()).addValue(spec.toJson()).addString(initial.wire())
            .addInteger(spec.maxAttempts()).addLong(origin.runId()).addLong(origin.flowchartRunId())
            .addString(origin.nodeKey()).addLong(origin.chatTurnId()))
        .map(rows -> TaskRow.from(rows.iterator().next()))
        .compose(task -> TaskEvents.updated(tx, task).map(task));
  }

  public static Future<TaskRow> enqueue(SqlClient tx, TaskSpec spec, TaskOrigin origin) {
    return enqueue(tx, spec, origin, TaskStatus.QUEUED);
  }

  public static Future<TaskRow> find(SqlClient client, long id) {
    return client.preparedQuery("SELECT * FROM task WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : TaskRow.from(rows.iterator().next()));
  }

  public static Future<TaskRow> require(SqlClient client, long id) {
    return find(client, id).map(task -> {
      if (task == null) {
        throw new ContractException(ErrorCode.NOT_FOUND, "no task " + id);
      }
      return task;
    });
  }

  /** Locks the row for the rest of the transaction; {@code lease_expired} is judged by the database clock. */
  public static Future<TaskRow> lock(SqlClient tx, long id) {
    return tx.preparedQuery("SELECT *, lease_expires_at < now() AS lease_expired FROM task WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : TaskRow.from(rows.iterator().next()));
  }

  /** As {@link #lock}, for several rows at once, locked in id order (the order every batch takes them in). */
  public static Future<List<TaskRow>> lockAll(SqlClient tx, List<Long> ids) {
    return tx.preparedQuery("""
            SELECT *, lease_expires_at < now() AS lease_expired FROM task WHERE id = ANY($1) ORDER BY id FOR UPDATE""")
        .execute(Tuple.of(ids.toArray(Long[]::new)))
        .map(Tasks::rows);
  }

  /** Writes the update and bumps the version; the caller appends the events. */
  public static Future<TaskRow> apply(SqlClient tx, TaskUpdate update) {
    return tx.preparedQuery(UPDATE).execute(values(update)).map(rows -> TaskRow.from(rows.iterator().next()));
  }

  /** {@link #apply} for several rows in one round trip (a pipelined batch of the same statement); answers in their order. */
  public static Future<List<TaskRow>> applyAll(SqlClient tx, List<TaskUpdate> updates) {
    if (updates.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return tx.preparedQuery(UPDATE).executeBatch(updates.stream().map(Tasks::values).toList())
        .map(first -> {
          List<TaskRow> written = new ArrayList<>();
          for (RowSet<Row> rows = first; rows != null; rows = rows.next()) {
            written.add(TaskRow.from(rows.iterator().next()));
          }
          return written;
        });
  }

  private static Tuple values(TaskUpdate update) {
    Double delay = update.runAfter == null ? null : update.runAfter.toMillis() / 1000.0;
    return Tuple.tuple()
        .addLong(update.from.id()).addString(update.status.wire()).addString(update.stage)
        .addValue(update.result).addString(update.error).addValue(update.runtime)
        .addBoolean(update.cancelRequested).addBoolean(update.clearLease).addValue(delay)
        .addBoolean(update.finished);
  }

  /** Newest first; {@code before} is the last id of the previous page (the cursor), or null for the first page. */
  public static Future<JsonObject> page(SqlClient client, int limit, Long before, TaskStatus status) {
    return client.preparedQuery("""
            SELECT * FROM task WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR status = $2)
            ORDER BY id DESC LIMIT $3""")
        .execute(Tuple.of(before, status == null ? null : status.wire(), limit + 1))
        .map(rows -> {
          List<TaskRow> tasks = rows(rows);
          JsonArray items = new JsonArray();
          tasks.stream().limit(limit).forEach(task -> items.add(task.toJson()));
          String next = tasks.size() > limit ? Long.toString(tasks.get(limit - 1).id()) : null;
          return new JsonObject().put("items", items).put("next_cursor", next);
        });
  }

  public static List<TaskRow> rows(RowSet<Row> rows) {
    List<TaskRow> tasks = new ArrayList<>();
    rows.forEach(row -> tasks.add(TaskRow.from(row)));
    return tasks;
  }
}

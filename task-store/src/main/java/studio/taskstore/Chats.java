package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.EntityKind;
import studio.contract.envelope.EventType;
import studio.contract.envelope.Preview;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.contract.room.RoomKind;
import studio.outbox.Outbox;

/**
 * Chat threads and turns. A submitted turn becomes an {@code llm} task whose messages are the
 * thread's history; its streamed text lands on the turn and in {@code chat.activity.appended}
 * events, and its end answers the turn. Every {@code chat.*} event goes to {@code thread:<id>} with
 * the thread's next version.
 */
public final class Chats {
  public static final int MAX_PROMPT = 100_000;

  private Chats() {
  }

  /** A thread locked for the rest of a transaction; each event takes its next version. */
  public static final class ThreadState {
    final long id;
    long version;
    private boolean dirty;

    ThreadState(long id, long version) {
      this.id = id;
      this.version = version;
    }

    long nextVersion() {
      dirty = true;
      return ++version;
    }

    Future<Void> save(SqlClient tx) {
      return !dirty ? Future.succeededFuture()
          : tx.preparedQuery("UPDATE chat_thread SET version = $2, updated_at = now() WHERE id = $1")
              .execute(Tuple.of(id, version)).mapEmpty();
    }
  }

  public static Future<JsonObject> createThread(SqlClient client, String title) {
    return client.preparedQuery("INSERT INTO chat_thread (title) VALUES ($1) RETURNING id")
        .execute(Tuple.of(title))
        .compose(rows -> find(client, rows.iterator().next().getLong("id")));
  }

  /** The thread and its whole history, oldest turn first; null if there is no such thread. */
  public static Future<JsonObject> find(SqlClient client, long threadId) {
    return client.preparedQuery("SELECT * FROM chat_thread WHERE id = $1").execute(Tuple.of(threadId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          Row thread = rows.iterator().next();
          return client.preparedQuery("SELECT * FROM chat_turn WHERE thread_id = $1 ORDER BY id").execute(Tuple.of(threadId))
              .map(turns -> {
                JsonArray history = new JsonArray();
                turns.forEach(turn -> history.add(turnJson(turn)));
                return new JsonObject().put("id", thread.getLong("id")).put("title", thread.getString("title"))
                    .put("version", thread.getLong("version"))
                    .put("created_at", thread.getOffsetDateTime("created_at").toString()).put("turns", history);
              });
        });
  }

  /** Records the turn, enqueues its {@code llm} task and announces {@code chat.turn.requested}. */
  public static Future<JsonObject> submitTurn(SqlClient tx, long threadId, String prompt, JsonObject llmOptions) {
    return lock(tx, "SELECT id, version FROM chat_thread WHERE id = $1 FOR UPDATE", threadId).compose(thread -> {
      if (thread == null) {
        throw new ContractException(ErrorCode.NOT_FOUND, "no thread " + threadId);
      }
      return history(tx, threadId).compose(messages -> {
        messages.add(new JsonObject().put("role", "user").put("content", prompt));
        JsonObject params = llmOptions.copy().put("messages", messages);
        TaskSpec spec = TaskSpec.parse(new JsonObject().put("executor", "llm").put("params", params).put("max_attempts", 1));
        return tx.preparedQuery("INSERT INTO chat_turn (thread_id, status, prompt) VALUES ($1, 'requested', $2) RETURNING *")
            .execute(Tuple.of(threadId, prompt))
            .compose(turns -> {
              long turnId = turns.iterator().next().getLong("id");
              return Tasks.enqueue(tx, spec, TaskOrigin.chatTurn(turnId))
                  .compose(task -> tx.preparedQuery("UPDATE chat_turn SET task_id = $2 WHERE id = $1 RETURNING *")
                      .execute(Tuple.of(turnId, task.id())))
                  .map(updated -> turnJson(updated.iterator().next()));
            })
            .compose(turn -> append(tx, thread, EventType.CHAT_TURN_REQUESTED, preview(turn))
                .compose(event -> thread.save(tx))
                .map(saved -> turn.put("thread_version", thread.version)));
      });
    });
  }

  /**
   * Streamed text: appended to the turn and announced, in one transaction per batch. The caller keeps
   * a batch within {@link Preview#MAX_BATCH_BYTES}; a bigger one fails as {@code too_large}.
   */
  public static Future<Void> appendActivity(Pool pool, long turnId, long taskId, String delta, int index) {
    return Transactions.run(pool, tx -> lockByTurn(tx, turnId).compose(thread -> tx.preparedQuery(
            "UPDATE chat_turn SET response = response || $2, updated_at = now() WHERE id = $1 AND status = 'requested'")
        .execute(Tuple.of(turnId, delta))
        .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture()
            : append(tx, thread, EventType.CHAT_ACTIVITY_APPENDED, new JsonObject().put("turn_id", turnId)
                .put("task_id", taskId).put("index", index).put("delta", delta))
                .compose(event -> thread.save(tx)))))
        .mapEmpty();
  }

  static Future<ThreadState> lockByTurn(SqlClient tx, long turnId) {
    return lock(tx, """
        SELECT t.id, t.version FROM chat_thread t JOIN chat_turn u ON u.thread_id = t.id
        WHERE u.id = $1 FOR UPDATE OF t""", turnId);
  }

  /** The turn's task ended: the turn is answered (with the task's final text) or failed. */
  static Future<Void> turnFinished(SqlClient tx, ThreadState thread, TaskRow task) {
    boolean answered = task.status() == TaskStatus.SUCCEEDED;
    String content = answered && task.result() != null ? task.result().getString("content", "") : null;
    String error = answered ? null : (task.error() == null ? "the turn's task " + task.status().wire() : task.error());
    return tx.preparedQuery("""
            UPDATE chat_turn SET status = $2, response = COALESCE($3, response), error = $4, updated_at = now()
            WHERE id = $1 RETURNING *""")
        .execute(Tuple.of(task.chatTurnId(), answered ? "responded" : "failed", content, error))
        .compose(rows -> append(tx, thread, answered ? EventType.CHAT_TURN_RESPONDED : EventType.CHAT_TURN_FAILED,
            preview(turnJson(rows.iterator().next())).put("runtime", RuntimeMetadata.of(task))))
        .mapEmpty();
  }

  private static Future<JsonArray> history(SqlClient tx, long threadId) {
    return tx.preparedQuery("SELECT prompt, response FROM chat_turn WHERE thread_id = $1 AND status = 'responded' ORDER BY id")
        .execute(Tuple.of(threadId))
        .map(rows -> {
          JsonArray messages = new JsonArray();
          rows.forEach(row -> messages
              .add(new JsonObject().put("role", "user").put("content", row.getString("prompt")))
              .add(new JsonObject().put("role", "assistant").put("content", row.getString("response"))));
          return messages;
        });
  }

  private static Future<ThreadState> lock(SqlClient tx, String sql, long id) {
    return tx.preparedQuery(sql).execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null
        : new ThreadState(rows.iterator().next().getLong("id"), rows.iterator().next().getLong("version")));
  }

  private static Future<Long> append(SqlClient tx, ThreadState thread, EventType type, JsonObject payload) {
    long version = thread.nextVersion();
    payload.put("thread_id", thread.id).put("version", version);
    return Outbox.append(tx, new DraftEvent(type, EntityKind.THREAD, Long.toString(thread.id),
        List.of(RoomKey.of(RoomKind.THREAD, Long.toString(thread.id))), payload.getJsonObject("runtime"),
        payload, null, version));
  }

  /**
   * A turn as its events carry it: prompt, response and error cut to a preview, flagged
   * {@code *_truncated}; the whole turn is in the thread's history ({@code GET /api/v1/threads/<id>}).
   */
  private static JsonObject preview(JsonObject turn) {
    JsonObject event = turn.copy();
    for (String field : List.of("prompt", "response", "error")) {
      Preview.putText(event, field, turn.getString(field));
    }
    return event;
  }

  private static JsonObject turnJson(Row row) {
    return new JsonObject().put("id", row.getLong("id")).put("thread_id", row.getLong("thread_id"))
        .put("status", row.getString("status")).put("prompt", row.getString("prompt"))
        .put("response", row.getString("response")).put("error", row.getString("error"))
        .put("task_id", row.getLong("task_id")).put("created_at", row.getOffsetDateTime("created_at").toString());
  }
}

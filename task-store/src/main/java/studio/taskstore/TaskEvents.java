package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.EntityKind;
import studio.contract.envelope.EventType;
import studio.contract.envelope.Preview;
import studio.contract.room.RoomKey;
import studio.contract.room.RoomKind;
import studio.outbox.Outbox;

/**
 * The task events, the same whatever executor or runner produced them: {@code node.task.*} to
 * {@code task:<id>} and, when the task belongs to a run, {@code run:<run_id>}. Each carries the
 * task's version after the change and the runtime metadata block.
 */
public final class TaskEvents {
  /** A bigger result is left out ({@code result_truncated: true}) and read from the task's status endpoint. */
  static final int MAX_RESULT_BYTES = 16 * 1024;

  private TaskEvents() {
  }

  public static List<RoomKey> rooms(TaskRow task) {
    List<RoomKey> rooms = new ArrayList<>();
    rooms.add(RoomKey.of(RoomKind.TASK, Long.toString(task.id())));
    if (task.runId() != null) {
      rooms.add(RoomKey.of(RoomKind.RUN, Long.toString(task.runId())));
    }
    return rooms;
  }

  public static Future<Long> updated(SqlClient tx, TaskRow task) {
    return Outbox.append(tx, updatedDraft(task));
  }

  /** {@code node.task.updated} for each of {@code tasks}, in that order, in one insert. */
  public static Future<Void> updated(SqlClient tx, List<TaskRow> tasks) {
    return Outbox.appendAll(tx, tasks.stream().map(TaskEvents::updatedDraft).toList()).mapEmpty();
  }

  private static DraftEvent updatedDraft(TaskRow task) {
    return draft(EventType.NODE_TASK_UPDATED, task, summary(task));
  }

  /**
   * A stage change or a batch of stage output ({@code detail} e.g. {@code {"log": [...]}}); the
   * caller keeps a batch within {@link Preview#MAX_BATCH_BYTES}.
   */
  public static Future<Long> stage(SqlClient tx, TaskRow task, JsonObject detail) {
    JsonObject payload = new JsonObject().put("id", task.id()).put("stage", task.stage())
        .put("status", task.status().wire()).put("version", task.version()).put("attempts", task.attempts());
    if (detail != null) {
      payload.mergeIn(detail);
    }
    return Outbox.append(tx, draft(EventType.NODE_TASK_STAGE_UPDATED, task, payload));
  }

  public static Future<Long> completed(SqlClient tx, TaskRow task) {
    return Outbox.append(tx, completedDraft(task));
  }

  private static DraftEvent completedDraft(TaskRow task) {
    JsonObject payload = summary(task);
    if (task.result() != null && Preview.encodedBytes(task.result()) <= MAX_RESULT_BYTES) {
      payload.put("result", task.result());
    } else if (task.result() != null) {
      payload.put("result_truncated", true);
    }
    return draft(EventType.NODE_TASK_COMPLETED, task, payload);
  }

  /** {@code node.task.updated}, plus {@code node.task.completed} when the change ended the task. */
  public static Future<Void> changed(SqlClient tx, TaskRow task) {
    return changed(tx, List.of(task));
  }

  /** {@link #changed(SqlClient, TaskRow)} for several tasks, in one insert: each task's events stay in their order. */
  public static Future<Void> changed(SqlClient tx, List<TaskRow> tasks) {
    return changedThenClaimed(tx, tasks, List.of());
  }

  /** {@link #changed(SqlClient, List)} for {@code changed}, then {@code node.task.updated} for each of {@code claimed}, in one insert. */
  public static Future<Void> changedThenClaimed(SqlClient tx, List<TaskRow> changed, List<TaskRow> claimed) {
    List<DraftEvent> drafts = new ArrayList<>();
    for (TaskRow task : changed) {
      drafts.add(updatedDraft(task));
      if (task.status().terminal()) {
        drafts.add(completedDraft(task));
      }
    }
    claimed.forEach(task -> drafts.add(updatedDraft(task)));
    return Outbox.appendAll(tx, drafts).mapEmpty();
  }

  /** The summary with the error cut to a preview; the whole error is on the task's status endpoint. */
  private static JsonObject summary(TaskRow task) {
    return Preview.putText(task.summary(), "error", task.error());
  }

  private static DraftEvent draft(EventType type, TaskRow task, JsonObject payload) {
    return new DraftEvent(type, EntityKind.TASK, Long.toString(task.id()), rooms(task), RuntimeMetadata.of(task), payload, null,
        task.version());
  }
}

package studio.taskstore;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/** One row of {@code task} as read (or just written) in a transaction. */
public record TaskRow(
    long id,
    ExecutorKind executor,
    TaskSpec spec,
    TaskStatus status,
    String stage,
    long version,
    int attempts,
    int maxAttempts,
    OffsetDateTime runAfter,
    String leaseOwner,
    OffsetDateTime leaseExpiresAt,
    boolean leaseExpired,
    boolean cancelRequested,
    JsonObject result,
    String error,
    JsonObject runtime,
    Long runId,
    Long flowchartRunId,
    String nodeKey,
    Long chatTurnId,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt,
    OffsetDateTime startedAt,
    OffsetDateTime finishedAt) {

  /** Reads {@code SELECT *}; {@code lease_expired} is only present where the query computed it against the database clock. */
  public static TaskRow from(Row row) {
    boolean hasExpiry = row.getColumnIndex("lease_expired") >= 0;
    return new TaskRow(
        row.getLong("id"),
        ExecutorKind.fromWire(row.getString("executor")).orElseThrow(),
        TaskSpec.fromStored(row.getJsonObject("spec")),
        TaskStatus.fromWire(row.getString("status")),
        row.getString("stage"),
        row.getLong("version"),
        row.getInteger("attempts"),
        row.getInteger("max_attempts"),
        row.getOffsetDateTime("run_after"),
        row.getString("lease_owner"),
        row.getOffsetDateTime("lease_expires_at"),
        hasExpiry && Boolean.TRUE.equals(row.getBoolean("lease_expired")),
        row.getBoolean("cancel_requested"),
        row.getJsonObject("result"),
        row.getString("error"),
        row.getJsonObject("runtime"),
        row.getLong("run_id"),
        row.getLong("flowchart_run_id"),
        row.getString("node_key"),
        row.getLong("chat_turn_id"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("updated_at"),
        row.getOffsetDateTime("started_at"),
        row.getOffsetDateTime("finished_at"));
  }

  /** The task as the status endpoint shows it. */
  public JsonObject toJson() {
    return summary()
        .put("spec", spec.toJson())
        .put("result", result)
        .put("run_after", text(runAfter))
        .put("lease_owner", leaseOwner)
        .put("lease_expires_at", text(leaseExpiresAt))
        .put("created_at", text(createdAt))
        .put("updated_at", text(updatedAt));
  }

  /** What every task event carries: the lifecycle fields, not the spec or a possibly large result. */
  public JsonObject summary() {
    return new JsonObject()
        .put("id", id)
        .put("executor", executor.wire())
        .put("status", status.wire())
        .put("stage", stage)
        .put("version", version)
        .put("attempts", attempts)
        .put("max_attempts", maxAttempts)
        .put("cancel_requested", cancelRequested)
        .put("error", error)
        .put("runtime", RuntimeMetadata.of(this))
        .put("run_id", runId)
        .put("flowchart_run_id", flowchartRunId)
        .put("node_key", nodeKey)
        .put("chat_turn_id", chatTurnId)
        .put("started_at", text(startedAt))
        .put("finished_at", text(finishedAt));
  }

  private static String text(OffsetDateTime time) {
    return time == null ? null : time.toString();
  }
}

package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A flowchart run locked for the rest of a transaction. Each event about the run takes the next
 * version; {@link #save} writes status and version back once, before the transaction commits.
 */
public final class RunState {
  public enum FailureMode {
    FAIL_FAST, CONTINUE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static FailureMode fromWire(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }

  /** running, then cancelling or failing while nodes stop, then one of the terminal three. */
  public static final String RUNNING = "running";
  public static final String CANCELLING = "cancelling";
  public static final String FAILING = "failing";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  final long id;
  final long flowchartId;
  final FlowchartDefinition definition;
  final FailureMode failureMode;
  final int maxParallel;
  String status;
  String error;
  long version;
  /** The nodes announced running and not announced otherwise since ({@code flowchart.node.running_set}). */
  private final Set<String> running = new LinkedHashSet<>();
  private boolean dirty;
  private boolean finished;

  RunState(Row row) {
    this.id = row.getLong("id");
    this.flowchartId = row.getLong("flowchart_id");
    this.definition = FlowchartDefinition.parse(row.getJsonObject("definition"));
    this.failureMode = FailureMode.fromWire(row.getString("failure_mode"));
    this.maxParallel = row.getInteger("max_parallel");
    this.status = row.getString("status");
    this.error = row.getString("error");
    this.version = row.getLong("version");
    ((JsonArray) row.getValue("running_set")).forEach(key -> running.add((String) key));
  }

  public long id() {
    return id;
  }

  public long flowchartId() {
    return flowchartId;
  }

  public String status() {
    return status;
  }

  public boolean terminal() {
    return status.equals(SUCCEEDED) || status.equals(FAILED) || status.equals(CANCELLED);
  }

  boolean stopping() {
    return status.equals(CANCELLING) || status.equals(FAILING);
  }

  /** The running set, in definition order. */
  List<String> running() {
    return definition.nodes().keySet().stream().filter(running::contains).toList();
  }

  /** Puts the node in or out of the running set; true when that changed the set. */
  boolean running(String key, boolean isRunning) {
    boolean changed = isRunning ? running.add(key) : running.remove(key);
    dirty |= changed;
    return changed;
  }

  long nextVersion() {
    dirty = true;
    return ++version;
  }

  void status(String newStatus, String newError) {
    dirty = true;
    finished = newStatus.equals(SUCCEEDED) || newStatus.equals(FAILED) || newStatus.equals(CANCELLED);
    status = newStatus;
    if (newError != null) {
      error = newError;
    }
  }

  JsonObject summary() {
    return new JsonObject().put("id", id).put("flowchart_id", flowchartId).put("status", status)
        .put("failure_mode", failureMode.wire()).put("max_parallel", maxParallel).put("error", error)
        .put("version", version);
  }

  Future<Void> save(SqlClient tx) {
    if (!dirty) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("""
            UPDATE flowchart_run SET status = $2, error = $3, version = $4, updated_at = now(),
              finished_at = CASE WHEN $5 THEN now() ELSE finished_at END, running_set = $6
            WHERE id = $1""")
        .execute(Tuple.of(id, status, error, version, finished, new JsonArray(running())))
        .mapEmpty();
  }
}

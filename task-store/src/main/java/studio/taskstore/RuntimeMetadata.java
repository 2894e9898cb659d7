package studio.taskstore;

import io.vertx.core.json.JsonObject;
import studio.contract.envelope.Preview;

/**
 * The runtime block of a task, the same five fields on every task event and read whatever executor
 * ran it: {@code selected_provider}, {@code final_provider} (null for executors without a provider),
 * {@code dispatch_status} (from the task's lifecycle), {@code fallback_attempted} and
 * {@code fallback_reason}. Executors record providers through here; anything else they add to the
 * block ({@code executor}, {@code runner}, {@code attempt}, {@code model}) travels beside these.
 */
public final class RuntimeMetadata {
  public static final String SELECTED_PROVIDER = "selected_provider";
  public static final String FINAL_PROVIDER = "final_provider";
  public static final String DISPATCH_STATUS = "dispatch_status";
  public static final String FALLBACK_ATTEMPTED = "fallback_attempted";
  public static final String FALLBACK_REASON = "fallback_reason";

  private RuntimeMetadata() {
  }

  /** The block as events and reads carry it: what the runner stored, completed with the five fields. */
  public static JsonObject of(TaskRow task) {
    JsonObject block = task.runtime() == null ? new JsonObject() : task.runtime().copy();
    putIfAbsent(block, SELECTED_PROVIDER, null);
    putIfAbsent(block, FINAL_PROVIDER, block.getValue(SELECTED_PROVIDER));
    putIfAbsent(block, FALLBACK_ATTEMPTED, false);
    putIfAbsent(block, FALLBACK_REASON, null);
    return block.put(DISPATCH_STATUS, dispatchStatus(task));
  }

  /**
   * Derived, never stored, so it cannot disagree with the task: {@code pending} before a runner took
   * it, {@code dispatched} while one holds it, {@code retrying} when it waits for another attempt,
   * then {@code completed}, {@code failed}, {@code cancelled} or {@code skipped}.
   */
  public static String dispatchStatus(TaskRow task) {
    return switch (task.status()) {
      case WAITING -> "pending";
      case QUEUED -> task.attempts() == 0 ? "pending" : "retrying";
      case RUNNING -> "dispatched";
      case SUCCEEDED -> "completed";
      case FAILED -> "failed";
      case CANCELLED -> "cancelled";
      case SKIPPED -> "skipped";
    };
  }

  /** An attempt chose {@code provider}: it is both selected and, until a fallback, final. */
  public static JsonObject providerSelected(JsonObject runtime, String provider) {
    return runtime.put(SELECTED_PROVIDER, provider).put(FINAL_PROVIDER, provider)
        .put(FALLBACK_ATTEMPTED, false).putNull(FALLBACK_REASON);
  }

  /** The selected provider failed and {@code provider} answers instead; the reason is a preview (the block rides every event). */
  public static JsonObject fellBack(JsonObject runtime, String provider, String reason) {
    runtime.put(FINAL_PROVIDER, provider).put(FALLBACK_ATTEMPTED, true);
    return Preview.putText(runtime, FALLBACK_REASON, reason);
  }

  private static void putIfAbsent(JsonObject block, String field, Object value) {
    if (!block.containsKey(field)) {
      block.put(field, value);
    }
  }
}

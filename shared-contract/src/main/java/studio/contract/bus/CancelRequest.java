package studio.contract.bus;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * The body published on {@link Addresses#TASKS_CANCEL} and {@link Addresses#DOWNLOADS_CANCEL}:
 * {@code {"id": <the task's or the job's id>}}. It is a hint to whichever worker holds that lease;
 * the row's {@code cancel_requested} flag, read at every lease renewal, is the truth, so a message
 * that is lost or unreadable only delays the stop.
 */
public record CancelRequest(long id) {
  public static final String ID = "id";

  public JsonObject toJson() {
    return new JsonObject().put(ID, id);
  }

  /** The request {@code body} carries, or empty when it names no integral id (then it is ignored). */
  public static Optional<CancelRequest> fromJson(Object body) {
    if (body instanceof JsonObject json && (json.getValue(ID) instanceof Long || json.getValue(ID) instanceof Integer)) {
      return Optional.of(new CancelRequest(((Number) json.getValue(ID)).longValue()));
    }
    return Optional.empty();
  }
}

package studio.taskstore;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import studio.contract.bus.Addresses;
import studio.contract.bus.CancelRequest;

/**
 * Event-bus nudges after a commit: wake runners for new work, tell the runner holding a task to stop
 * it. Both are hints; the row (status, {@code cancel_requested}) is the truth a runner also polls.
 */
public final class Signals {
  private Signals() {
  }

  public static void wake(Vertx vertx) {
    vertx.eventBus().publish(Addresses.TASKS_WAKE, new JsonObject());
  }

  public static void cancel(Vertx vertx, Collection<Long> taskIds) {
    taskIds.forEach(id -> vertx.eventBus().publish(Addresses.TASKS_CANCEL, new CancelRequest(id).toJson()));
  }
}

package studio.downloadstore;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import studio.contract.bus.Addresses;
import studio.contract.bus.CancelRequest;

/**
 * Event-bus nudges after a commit: wake download workers for a new job, tell the worker holding a
 * job to stop it. Both are hints; the row (status, {@code cancel_requested}) is the truth a worker
 * also polls.
 */
public final class DownloadSignals {
  private DownloadSignals() {
  }

  public static void wake(Vertx vertx, long jobId) {
    vertx.eventBus().publish(Addresses.DOWNLOADS_WAKE, new JsonObject().put("job_id", jobId));
  }

  public static void cancel(Vertx vertx, long jobId) {
    vertx.eventBus().publish(Addresses.DOWNLOADS_CANCEL, new CancelRequest(jobId).toJson());
  }
}

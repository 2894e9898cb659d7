package studio.downloadstore;

import io.vertx.core.json.JsonObject;
import java.util.List;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.EntityKind;
import studio.contract.envelope.EventType;
import studio.contract.envelope.Preview;
import studio.contract.room.RoomKey;
import studio.contract.room.RoomKind;

/**
 * The two events of a download job, both to room {@code download_job:<id>}: {@code download.job.updated}
 * (status and progress) and {@code download.job.completed} (succeeded, failed with a reason, or
 * cancelled). Each carries the job's version after the change, for {@code Outbox.append}.
 */
public final class DownloadEvents {
  private DownloadEvents() {
  }

  public static RoomKey room(long jobId) {
    return RoomKey.of(RoomKind.DOWNLOAD_JOB, Long.toString(jobId));
  }

  /** {@code progress} holds status, bytes_done, bytes_total, rate_bytes_per_second, eta_seconds, current_file, ... */
  public static DraftEvent updated(long jobId, long version, JsonObject progress) {
    return draft(EventType.DOWNLOAD_JOB_UPDATED, jobId, version, progress);
  }

  public static DraftEvent completed(long jobId, long version, DownloadStatus outcome, String error,
                                     long bytesDone, Long bytesTotal) {
    JsonObject payload = new JsonObject().put("status", outcome.wire())
        .put("bytes_done", bytesDone).put("bytes_total", bytesTotal);
    return draft(EventType.DOWNLOAD_JOB_COMPLETED, jobId, version, Preview.putText(payload, "error", error));
  }

  private static DraftEvent draft(EventType type, long jobId, long version, JsonObject payload) {
    return new DraftEvent(type, EntityKind.DOWNLOAD_JOB, Long.toString(jobId), List.of(room(jobId)), null,
        payload.copy().put("job_id", jobId), null, version);
  }
}

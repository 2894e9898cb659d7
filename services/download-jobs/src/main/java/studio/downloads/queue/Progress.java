package studio.downloads.queue;

import io.vertx.core.json.JsonObject;

/**
 * A progress snapshot of a running job and of its current file ({@code fileOrdinal} -1: none).
 * {@code rate} is bytes per second of this run; {@code etaSeconds} is null while the total or the
 * rate is unknown.
 */
public record Progress(long bytesDone, Long bytesTotal, String currentFile, long rate, Long etaSeconds,
                       int filesDone, int filesTotal, int fileOrdinal, long fileBytes) {

  public JsonObject toPayload() {
    return new JsonObject().put("status", "running")
        .put("bytes_done", bytesDone).put("bytes_total", bytesTotal)
        .put("rate_bytes_per_second", rate).put("eta_seconds", etaSeconds)
        .put("current_file", currentFile).put("files_done", filesDone).put("files_total", filesTotal);
  }
}

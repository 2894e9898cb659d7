package studio.downloads.queue;

import io.vertx.core.json.JsonObject;

/** A job this worker holds the lease of, as it stood when claimed. */
public record ClaimedJob(long id, JsonObject source, boolean resolved, boolean keepPartial, boolean cancelRequested,
                         int attempts, long bytesDone, Long bytesTotal) {
}

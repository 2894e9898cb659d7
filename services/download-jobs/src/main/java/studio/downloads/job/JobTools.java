package studio.downloads.job;

import io.vertx.core.Vertx;
import studio.downloads.DownloadsConfig;
import studio.downloads.huggingface.HubListing;
import studio.downloads.queue.JobQueue;
import studio.downloads.workspace.Workspace;
import studio.downloads.transfer.FileTransfer;

/** What every job run of this service shares; {@code eventsCommitted} wakes the outbox relay. */
public record JobTools(Vertx vertx, DownloadsConfig config, JobQueue queue, Workspace workspace, FileTransfer transfer,
                       HubListing listing, Runnable eventsCommitted) {
}

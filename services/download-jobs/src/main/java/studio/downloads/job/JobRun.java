package studio.downloads.job;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.downloads.queue.ClaimedJob;
import studio.downloads.queue.JobFile;
import studio.downloads.transfer.FileTransfer;
import studio.downloadstore.DownloadStatus;
import studio.downloadstore.FileSpec;
import studio.downloadstore.HuggingFaceSpec;
import studio.runtime.egress.EgressDenied;
import studio.runtime.lease.LeaseState;

/**
 * One claimed job from start to end: resolve its file list (a HuggingFace listing is resolved here,
 * once, and stored), check the size cap, download the files one after another (skipping those a
 * previous run finished), then record the outcome. A cancel ends it as cancelled, removing partial
 * files unless the job keeps them; an abandon (lease lost, shutdown) ends it without a word, leaving
 * partial files for whoever resumes it.
 */
final class JobRun {
  private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
  private final JobTools tools;
  private final ClaimedJob job;
  private final Abort abort = new Abort();
  private final ProgressReporter progress;
  private long bytesDone;
  private Long bytesTotal;

  JobRun(JobTools tools, ClaimedJob job) {
    this.tools = tools;
    this.job = job;
    this.bytesTotal = job.bytesTotal();
    this.progress = new ProgressReporter(tools.vertx(), tools.queue(), job.id(), tools.config().progressInterval(),
        job.bytesDone(), this::leaseChecked, tools.eventsCommitted());
  }

  long id() {
    return job.id();
  }

  void cancel() {
    abort.abort(Abort.Reason.CANCELLED);
  }

  void abandon() {
    abort.abort(Abort.Reason.ABANDONED);
  }

  void leaseChecked(LeaseState state) {
    if (!state.held()) {
      LOG.warn("download job {}: lease lost to another worker; stopping here", job.id());
      abandon();
    } else if (state.cancelRequested()) {
      cancel();
    }
  }

  /** Completes when the job has ended (or been abandoned); never fails. */
  Future<Void> run() {
    if (job.cancelRequested()) {
      cancel();
    }
    return Future.<Void>succeededFuture()
        .compose(started -> {
          abort.check();
          return files();
        })
        .compose(this::downloadAll)
        .transform(this::conclude);
  }

  private Future<List<JobFile>> files() {
    if (job.resolved()) {
      return tools.queue().files(job.id());
    }
    HuggingFaceSpec spec = HuggingFaceSpec.fromJson(job.source().getJsonObject("huggingface"));
    return tools.listing().files(spec, abort)
        .compose(specs -> {
          abort.check();
          Long total = specs.stream().anyMatch(file -> file.size() == null) ? null
              : specs.stream().mapToLong(FileSpec::size).sum();
          bytesTotal = total;
          return tools.queue().storeResolved(job.id(), specs, total);
        })
        .compose(state -> {
          leaseChecked(state);
          abort.check();
          tools.eventsCommitted().run();
          return tools.queue().files(job.id());
        });
  }

  private Future<Void> downloadAll(List<JobFile> files) {
    long known = files.stream().mapToLong(file -> file.size() == null ? 0 : file.size()).sum();
    if (known > tools.config().maxJobBytes()) {
      return Future.failedFuture(new JobFailure("the job's files add up to " + known + " bytes, over the size cap of "
          + tools.config().maxJobBytes() + " (STUDIO_DOWNLOADS_MAX_JOB_BYTES)"));
    }
    if (bytesTotal == null && files.stream().allMatch(file -> file.size() != null)) {
      bytesTotal = known;
    }
    bytesDone = files.stream().filter(JobFile::done).mapToLong(JobFile::bytesDone).sum();
    Future<Void> chain = tools.workspace().preparePartials(job.id());
    int[] filesDone = {(int) files.stream().filter(JobFile::done).count()};
    for (JobFile file : files) {
      if (!file.done()) {
        chain = chain.compose(previous -> downloadOne(file, filesDone[0], files.size()))
            .onSuccess(size -> filesDone[0]++)
            .mapEmpty();
      }
    }
    return chain;
  }

  private Future<Long> downloadOne(JobFile file, int filesDone, int filesTotal) {
    abort.check();
    long before = bytesDone;
    progress.update(before, bytesTotal, file.path(), filesDone, filesTotal, file.ordinal(), 0);
    return tools.workspace().target(file.path())
        .compose(target -> tools.transfer().download(new FileTransfer.Request(job.id(), file,
            tools.workspace().partial(job.id(), file.ordinal()), target, tools.config().maxJobBytes() - before,
            fileBytes -> progress.update(before + fileBytes, bytesTotal, file.path(), filesDone, filesTotal,
                file.ordinal(), fileBytes),
            abort)))
        .onSuccess(size -> {
          bytesDone = before + size;
          progress.fileCompleted(file.ordinal(), size);
          progress.update(bytesDone, bytesTotal, file.path(), filesDone + 1, filesTotal, file.ordinal(), size);
        });
  }

  private Future<Void> conclude(AsyncResult<Void> outcome) {
    if (outcome.succeeded()) {
      return progress.drain()
          .compose(drained -> tools.workspace().removePartials(job.id()))
          .transform(removed -> finish(DownloadStatus.SUCCEEDED, null));
    }
    progress.close();
    // A reset request may surface as a stream error rather than as Aborted: the abort decides.
    if (abort.reason() == Abort.Reason.ABANDONED) {
      return Future.succeededFuture();
    }
    boolean cancelled = abort.reason() == Abort.Reason.CANCELLED;
    String reason = cancelled ? null : reason(outcome.cause());
    // Read now, not at claim time: the cancel request may have set it.
    Future<Void> cleanup = tools.queue().keepsPartials(job.id())
        .compose(keep -> keep ? Future.<Void>succeededFuture() : tools.workspace().removePartials(job.id()));
    return cleanup.transform(cleaned -> {
      if (cleaned.failed()) {
        LOG.warn("download job {}: could not remove partial files: {}", job.id(), cleaned.cause().getMessage());
      }
      return finish(cancelled ? DownloadStatus.CANCELLED : DownloadStatus.FAILED, reason);
    });
  }

  private String reason(Throwable failure) {
    if (failure instanceof JobFailure || failure instanceof RetryableFailure || failure instanceof EgressDenied) {
      LOG.info("download job {} failed: {}", job.id(), failure.getMessage());
      return failure.getMessage();
    }
    LOG.error("download job {} failed unexpectedly", job.id(), failure);
    return "internal error: " + failure;
  }

  private Future<Void> finish(DownloadStatus outcome, String error) {
    return tools.queue().finish(job.id(), outcome, error, bytesDone)
        .onSuccess(recorded -> {
          if (recorded) {
            tools.eventsCommitted().run();
            LOG.info("download job {} {}", job.id(), outcome.wire());
          }
        })
        .onFailure(failure -> LOG.warn("download job {}: could not record {} ({}); the lease will expire and "
            + "another run will take it over", job.id(), outcome.wire(), failure.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }
}

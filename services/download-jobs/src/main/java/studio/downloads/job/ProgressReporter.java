package studio.downloads.job;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.downloads.queue.JobQueue;
import studio.downloads.queue.Progress;
import studio.runtime.lease.LeaseState;

/**
 * Turns a stream of byte counts into at most one progress write (and {@code download.job.updated})
 * per interval per job: the latest state wins, a write starts only after the previous one committed
 * and at least an interval after it started, and files completed meanwhile ride along with the next
 * write. Each write also renews the lease and reports whether the job was cancelled or taken over.
 */
final class ProgressReporter {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);
  private final Vertx vertx;
  private final JobQueue queue;
  private final long jobId;
  private final long intervalMillis;
  private final Consumer<LeaseState> leaseListener;
  private final Runnable committed;
  private final long startedAt = System.nanoTime();
  private final long bytesAtStart;
  private final Map<Integer, Long> completed = new LinkedHashMap<>();
  private Progress latest;
  private boolean dirty;
  private boolean writing;
  private long timer = -1;
  private long lastWriteAt = Long.MIN_VALUE / 2;
  private Promise<Void> drained;

  ProgressReporter(Vertx vertx, JobQueue queue, long jobId, Duration interval, long bytesAtStart,
                   Consumer<LeaseState> leaseListener, Runnable committed) {
    this.vertx = vertx;
    this.queue = queue;
    this.jobId = jobId;
    this.intervalMillis = interval.toMillis();
    this.bytesAtStart = bytesAtStart;
    this.leaseListener = leaseListener;
    this.committed = committed;
  }

  /** The job's position: {@code bytesDone} of {@code bytesTotal}, {@code fileBytes} into file {@code ordinal}. */
  void update(long bytesDone, Long bytesTotal, String currentFile, int filesDone, int filesTotal, int ordinal,
              long fileBytes) {
    double seconds = Math.max(0.001, (System.nanoTime() - startedAt) / 1e9);
    long rate = (long) ((bytesDone - bytesAtStart) / seconds);
    Long eta = bytesTotal == null || rate <= 0 ? null : Math.max(0, (bytesTotal - bytesDone) / rate);
    latest = new Progress(bytesDone, bytesTotal, currentFile, rate, eta, filesDone, filesTotal, ordinal, fileBytes);
    dirty = true;
    schedule();
  }

  void fileCompleted(int ordinal, long size) {
    completed.put(ordinal, size);
  }

  /** Writes what is pending now (not waiting for the interval) and resolves once nothing is in flight. */
  Future<Void> drain() {
    vertx.cancelTimer(timer);
    timer = -1;
    if (!dirty && !writing) {
      return Future.succeededFuture();
    }
    if (drained == null) {
      drained = Promise.promise();
    }
    Future<Void> whenDrained = drained.future();
    if (!writing) {
      write();
    }
    return whenDrained;
  }

  /** Stops writing: the job ends without another progress event. */
  void close() {
    vertx.cancelTimer(timer);
    dirty = false;
  }

  private void schedule() {
    if (writing || timer != -1 || !dirty) {
      return;
    }
    long wait = lastWriteAt + intervalMillis - System.currentTimeMillis();
    if (wait <= 0) {
      write();
    } else {
      timer = vertx.setTimer(wait, fired -> {
        timer = -1;
        write();
      });
    }
  }

  private void write() {
    if (!dirty || latest == null) {
      settle();
      return;
    }
    writing = true;
    dirty = false;
    lastWriteAt = System.currentTimeMillis();
    Map<Integer, Long> files = new LinkedHashMap<>(completed);
    completed.clear();
    queue.progress(jobId, latest, files)
        .onSuccess(state -> {
          committed.run();
          leaseListener.accept(state);
        })
        .onFailure(failure -> {
          completed.putAll(files);
          dirty = true;
          LOG.warn("download job {}: could not record progress: {}", jobId, failure.getMessage());
        })
        .onComplete(done -> {
          writing = false;
          if (drained == null) {
            schedule();
          } else if (dirty && done.succeeded()) {
            write();
          } else {
            settle();
          }
        });
  }

  private void settle() {
    if (drained != null && !writing) {
      Promise<Void> waiting = drained;
      drained = null;
      waiting.complete();
    }
  }
}

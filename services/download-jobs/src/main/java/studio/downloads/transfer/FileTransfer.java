package studio.downloads.transfer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.downloads.DownloadsConfig;
import studio.downloads.job.Abort;
import studio.downloads.job.JobFailure;
import studio.downloads.job.RetryableFailure;
import studio.downloads.queue.JobFile;
import studio.runtime.retry.Backoff;

/**
 * Downloads one file: streams the body into its partial file through the async file system while
 * hashing it, then checks size and SHA-256 and renames the partial file onto the target (atomic,
 * same file system). An attempt that finds a partial file asks for the rest with {@code Range}; a
 * server that answers 200 instead gets the whole file written from zero. Retryable failures are
 * retried with exponential backoff ({@code STUDIO_DOWNLOADS_RETRY_BACKOFF} doubling, at most a minute
 * apart); an attempt that made progress does not count against the limit and waits the base again.
 */
public final class FileTransfer {
  private static final Logger LOG = LoggerFactory.getLogger(FileTransfer.class);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
  private final Vertx vertx;
  private final HttpFetcher fetcher;
  private final DownloadsConfig config;
  private final Backoff backoff;

  public FileTransfer(Vertx vertx, HttpFetcher fetcher, DownloadsConfig config) {
    this.vertx = vertx;
    this.fetcher = fetcher;
    this.config = config;
    this.backoff = Backoff.exponential(config.retryBackoff(), MAX_BACKOFF);
  }

  /** One file to fetch; {@code byteBudget} is what the job's size cap leaves for it; {@code progress} gets its bytes so far. */
  public record Request(long jobId, JobFile file, Path partial, Path target, long byteBudget, LongConsumer progress,
                        Abort abort) {
  }

  /** Resolves to the file's size once it is verified and in place. */
  public Future<Long> download(Request request) {
    return attempt(request, 0);
  }

  private Future<Long> attempt(Request request, int failures) {
    long[] reached = {0};
    return once(request, reached).recover(failure -> {
      if (!(failure instanceof RetryableFailure)) {
        return Future.failedFuture(failure);
      }
      int counted = reached[0] > 0 ? 0 : failures + 1;
      if (counted > config.retries()) {
        return Future.failedFuture(new JobFailure("gave up on " + request.file().path() + " after "
            + (config.retries() + 1) + " attempts: " + failure.getMessage()));
      }
      long delay = backoff.delayMillis(counted);
      LOG.info("download job {}: {} (retrying {} in {} ms)", request.jobId(), failure.getMessage(),
          request.file().path(), delay);
      return request.abort().sleep(vertx, delay).compose(slept -> attempt(request, counted));
    });
  }

  /** What an attempt wrote: the partial file's length and the digest of all its bytes. */
  private record Received(long length, MessageDigest digest) {
  }

  /** One GET; {@code reached[0]} tells the retry loop how many new bytes it wrote. */
  private Future<Long> once(Request request, long[] reached) {
    JobFile file = request.file();
    String partial = request.partial().toString();
    return vertx.executeBlocking(() -> PartialFile.readBlocking(request.partial(), file.size()), false)
        .compose(existing -> vertx.fileSystem().open(partial, new OpenOptions().setWrite(true).setCreate(true))
            .compose(out -> fetcher.get(file.url(), existing.length(), request.abort())
                .compose(response -> receive(request, response, existing, out, reached))
                .eventually(out::close)))
        // A restart from zero may leave bytes of an older, longer attempt beyond the new end.
        .compose(received -> vertx.fileSystem().truncate(partial, received.length())
            .<Received>transform(truncated -> truncated.succeeded() ? Future.succeededFuture(received)
                : Future.failedFuture(writeFailure(file, truncated.cause()))))
        .compose(received -> verifyAndPlace(request, received));
  }

  private Future<Received> receive(Request request, HttpClientResponse response, PartialFile existing, AsyncFile out,
                               long[] reached) {
    long from = existing.length();
    MessageDigest digest = existing.digest();
    if (response.statusCode() == HttpFetcher.RANGE_NOT_SATISFIABLE || (response.statusCode() == 206
        && !String.valueOf(response.getHeader(HttpHeaders.CONTENT_RANGE)).startsWith("bytes " + from + "-"))) {
      String reason = "the server could not resume " + request.file().path() + " at byte " + from + "; starting it again";
      return HttpFetcher.discard(response).transform(ignored -> vertx.fileSystem().delete(request.partial().toString()))
          .transform(deleted -> Future.failedFuture(new RetryableFailure(reason)));
    }
    if (response.statusCode() != 206 && from > 0) {
      LOG.info("download job {}: {} ignored the Range request; downloading {} from zero", request.jobId(),
          request.file().url(), request.file().path());
      from = 0;
      digest = PartialFile.sha256();
    }
    String announced = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    long expectedEnd = announced == null ? -1 : from + Long.parseLong(announced);
    JobFailure refused = refuseSize(request, expectedEnd);
    if (refused != null) {
      response.exceptionHandler(expectedAfterReset -> { });
      response.request().reset();
      return Future.failedFuture(refused);
    }
    return new BodyStream(request, response, out.setWritePos(from), digest, from, expectedEnd, reached).run();
  }

  private static JobFailure writeFailure(JobFile file, Throwable failure) {
    return new JobFailure("could not write " + file.path() + ": " + failure.getMessage());
  }

  private JobFailure refuseSize(Request request, long announcedEnd) {
    Long size = request.file().size();
    if (announcedEnd >= 0 && size != null && announcedEnd != size) {
      return new JobFailure(request.file().path() + ": the server announces " + announcedEnd + " bytes, expected " + size);
    }
    if (announcedEnd > request.byteBudget()) {
      return new JobFailure(request.file().path() + " (" + announcedEnd + " bytes) exceeds the job size cap "
          + DownloadsConfig.MAX_JOB_BYTES);
    }
    return null;
  }

  /**
   * Streams the body into the partial file with back-pressure, hashing and counting as it goes.
   * Network chunks are small; they are gathered into blocks so each file write (a worker-thread
   * hop) and each digest update moves a megabyte.
   */
  private final class BodyStream {
    private static final int BLOCK = 1 << 20;
    private final byte[] block = new byte[BLOCK];
    private int filled;
    private final Request request;
    private final HttpClientResponse response;
    private final AsyncFile out;
    private final MessageDigest digest;
    private final long expectedEnd;
    private final long[] reached;
    private final long start;
    private final Promise<Received> done = Promise.promise();
    private long written;
    private int writesInFlight;
    private Promise<Void> writesSettled;

    BodyStream(Request request, HttpClientResponse response, AsyncFile out, MessageDigest digest, long from,
               long expectedEnd, long[] reached) {
      this.request = request;
      this.response = response;
      this.out = out;
      this.digest = digest;
      this.start = from;
      this.written = from;
      this.expectedEnd = expectedEnd;
      this.reached = reached;
    }

    Future<Received> run() {
      out.setWriteQueueMaxSize(8 * BLOCK);
      out.exceptionHandler(failure -> stop(writeFailure(request.file(), failure)));
      response.exceptionHandler(failure -> stop(request.abort().aborted() ? request.abort().failure()
          : new RetryableFailure("download of " + request.file().path() + " broke off at byte " + written + ": "
              + HttpFetcher.describe(failure))));
      response.handler(this::chunk);
      response.endHandler(ended -> {
        writeBlock();
        // A write fails in its own callback, which may come after a flush that started later: wait for
        // every write, then flush, so a failed write can never be mistaken for a complete file.
        // On disk before the rename makes it the target: a crash never leaves a truncated "complete" file.
        allWritten().compose(written -> out.flush()).onComplete(flushed -> {
          if (flushed.failed()) {
            stop(writeFailure(request.file(), flushed.cause()));
          } else {
            finish();
          }
        });
      });
      response.resume();
      return done.future();
    }

    private void chunk(Buffer chunk) {
      if (done.future().isComplete()) {
        return;
      }
      written += chunk.length();
      reached[0] = written - start;
      fetcher.received(chunk.length());
      Long size = request.file().size();
      if ((size != null && written > size) || written > request.byteBudget()) {
        stop(new JobFailure(request.file().path() + " is larger than " + (size != null && written > size
            ? "its expected " + size + " bytes" : "the job size cap " + DownloadsConfig.MAX_JOB_BYTES)));
        return;
      }
      for (int offset = 0; offset < chunk.length(); ) {
        int copied = Math.min(BLOCK - filled, chunk.length() - offset);
        chunk.getBytes(offset, offset + copied, block, filled);
        filled += copied;
        offset += copied;
        if (filled == BLOCK) {
          writeBlock();
        }
      }
      request.progress().accept(written);
      if (out.writeQueueFull()) {
        response.pause();
        out.drainHandler(drained -> response.resume());
      }
    }

    private void writeBlock() {
      if (filled == 0) {
        return;
      }
      digest.update(block, 0, filled);
      writesInFlight++;
      out.write(Buffer.buffer(filled == BLOCK ? block : Arrays.copyOf(block, filled))).onComplete(write -> {
        writesInFlight--;
        if (write.failed()) {
          stop(writeFailure(request.file(), write.cause()));
        }
        if (writesInFlight == 0 && writesSettled != null) {
          writesSettled.tryComplete();
        }
      });
      filled = 0;
    }

    private Future<Void> allWritten() {
      if (writesInFlight == 0) {
        return Future.succeededFuture();
      }
      writesSettled = Promise.promise();
      return writesSettled.future();
    }

    private void finish() {
      if (expectedEnd >= 0 && written != expectedEnd) {
        stop(new RetryableFailure("download of " + request.file().path() + " ended at byte " + written + " of "
            + expectedEnd));
      } else {
        done.tryComplete(new Received(written, digest));
      }
    }

    /** Keeps what arrived (a resumed attempt continues after it), then ends the request. */
    private void stop(RuntimeException failure) {
      if (!(failure instanceof JobFailure)) {
        writeBlock();
      }
      if (done.tryFail(failure)) {
        response.request().reset();
      }
    }
  }

  private Future<Long> verifyAndPlace(Request request, Received received) {
    JobFile file = request.file();
    long length = received.length();
    String actual = HexFormat.of().formatHex(received.digest().digest());
    if (file.size() != null && length != file.size()) {
      return rejected(request, file.path() + " has " + length + " bytes, expected " + file.size());
    }
    if (file.sha256() != null && !file.sha256().equals(actual)) {
      return rejected(request, "sha256 mismatch for " + file.path() + ": expected " + file.sha256() + ", got " + actual);
    }
    return vertx.fileSystem().move(request.partial().toString(), request.target().toString(),
            new CopyOptions().setReplaceExisting(true).setAtomicMove(true))
        .recover(failure -> Future.failedFuture(new JobFailure("could not move " + file.path() + " into place: "
            + failure.getMessage())))
        .map(moved -> length);
  }

  private Future<Long> rejected(Request request, String reason) {
    return vertx.fileSystem().delete(request.partial().toString())
        .transform(deleted -> Future.failedFuture(new JobFailure(reason)));
  }
}

package studio.downloads.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import studio.downloadstore.DownloadEvents;
import studio.downloadstore.DownloadJobStore;
import studio.downloadstore.DownloadStatus;
import studio.downloadstore.FileSpec;
import studio.outbox.Outbox;
import studio.runtime.lease.LeaseState;

/**
 * The worker's side of the durable queue. A job is claimed with {@code FOR UPDATE SKIP LOCKED}, so
 * concurrent workers never take the same one, and held by a lease: every write below succeeds only
 * while this worker ({@code owner}) still holds it, so a worker that lost its lease (it stalled, and
 * another took the job over) cannot overwrite the new holder's progress. Visible changes bump the
 * version and append their event in the same transaction.
 */
public final class JobQueue {
  private final Pool pool;
  private final String owner;
  private final double leaseSeconds;

  public JobQueue(Pool pool, String owner, Duration lease) {
    this.pool = pool;
    this.owner = owner;
    this.leaseSeconds = lease.toMillis() / 1000.0;
  }

  public String owner() {
    return owner;
  }

  /** The oldest queued job, or a running one whose holder stopped renewing its lease. */
  public Future<Optional<ClaimedJob>> claim() {
    return pool.withTransaction(tx -> tx.preparedQuery("UPDATE download_job SET status = 'running', owner = $1, "
                + "lease_until = now() + make_interval(secs => $2), attempts = attempts + 1, "
                + "started_at = COALESCE(started_at, now()), version = version + 1, updated_at = now() "
                + "WHERE id = (SELECT id FROM download_job WHERE status = 'queued' OR (status = 'running' "
                + "AND (lease_until IS NULL OR lease_until <= now())) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                + "RETURNING id, version, source, resolved, keep_partial, cancel_requested, attempts, bytes_done, bytes_total")
        .execute(Tuple.of(owner, leaseSeconds))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<ClaimedJob>empty());
          }
          Row row = rows.iterator().next();
          ClaimedJob job = new ClaimedJob(row.getLong("id"), row.getJsonObject("source"), row.getBoolean("resolved"),
              row.getBoolean("keep_partial"), row.getBoolean("cancel_requested"), row.getInteger("attempts"),
              row.getLong("bytes_done"), row.getLong("bytes_total"));
          JsonObject payload = new JsonObject().put("status", DownloadStatus.RUNNING.wire())
              .put("attempts", job.attempts()).put("bytes_done", job.bytesDone()).put("bytes_total", job.bytesTotal());
          return Outbox.append(tx, DownloadEvents.updated(job.id(), row.getLong("version"), payload))
              .map(appended -> Optional.of(job));
        }));
  }

  public Future<List<JobFile>> files(long jobId) {
    return pool.preparedQuery("SELECT ordinal, url, path, size, sha256, bytes_done, status FROM download_file "
            + "WHERE job_id = $1 ORDER BY ordinal").execute(Tuple.of(jobId))
        .map(rows -> {
          List<JobFile> files = new ArrayList<>();
          rows.forEach(row -> files.add(new JobFile(row.getInteger("ordinal"), row.getString("url"), row.getString("path"),
              row.getLong("size"), row.getString("sha256"), row.getLong("bytes_done"), "done".equals(row.getString("status")))));
          return files;
        });
  }

  /** Stores the file list a HuggingFace listing produced; from now on a resumed job reads it from here. */
  public Future<LeaseState> storeResolved(long jobId, List<FileSpec> files, Long bytesTotal) {
    return pool.withTransaction(tx -> held(tx.preparedQuery("UPDATE download_job SET resolved = true, bytes_total = $3, "
                + "version = version + 1, updated_at = now() WHERE id = $1 AND owner = $2 AND status = 'running' "
                + "RETURNING version, cancel_requested").execute(Tuple.of(jobId, owner, bytesTotal)),
        version -> DownloadJobStore.insertFiles(tx, jobId, files)
            .compose(inserted -> Outbox.append(tx, DownloadEvents.updated(jobId, version, new JsonObject()
                .put("status", DownloadStatus.RUNNING.wire()).put("bytes_done", 0).put("bytes_total", bytesTotal)
                .put("files_done", 0).put("files_total", files.size()))))
            .mapEmpty()));
  }

  /**
   * Records progress (and renews the lease): the job row, its current file, the files completed
   * since the last call ({@code ordinal -> size}), and a {@code download.job.updated}.
   */
  public Future<LeaseState> progress(long jobId, Progress progress, Map<Integer, Long> completed) {
    Integer[] ordinals = completed.keySet().toArray(Integer[]::new);
    Long[] sizes = Arrays.stream(ordinals).map(completed::get).toArray(Long[]::new);
    return pool.withTransaction(tx -> held(tx.preparedQuery("UPDATE download_job SET bytes_done = $3, bytes_total = $4, "
                + "current_file = $5, lease_until = now() + make_interval(secs => $6), version = version + 1, "
                + "updated_at = now() WHERE id = $1 AND owner = $2 AND status = 'running' RETURNING version, cancel_requested")
            .execute(Tuple.of(jobId, owner, progress.bytesDone(), progress.bytesTotal(), progress.currentFile(), leaseSeconds)),
        version -> tx.preparedQuery("UPDATE download_file SET bytes_done = $3 WHERE job_id = $1 AND ordinal = $2")
            .execute(Tuple.of(jobId, progress.fileOrdinal(), progress.fileBytes()))
            .compose(updated -> tx.preparedQuery("UPDATE download_file f SET status = 'done', bytes_done = d.bytes "
                    + "FROM unnest($2::INTEGER[], $3::BIGINT[]) AS d(ordinal, bytes) WHERE f.job_id = $1 AND f.ordinal = d.ordinal")
                .execute(Tuple.of(jobId, ordinals, sizes)))
            .compose(updated -> Outbox.append(tx, DownloadEvents.updated(jobId, version, progress.toPayload())))
            .mapEmpty()));
  }

  /** Extends the lease while nothing else writes (a slow server, a backoff wait, a long checksum). */
  public Future<LeaseState> renew(long jobId) {
    return pool.preparedQuery("UPDATE download_job SET lease_until = now() + make_interval(secs => $3) "
            + "WHERE id = $1 AND owner = $2 AND status = 'running' RETURNING cancel_requested")
        .execute(Tuple.of(jobId, owner, leaseSeconds))
        .map(JobQueue::leaseState);
  }

  /** Ends the job for good with its {@code download.job.completed}; false when the lease was lost before. */
  public Future<Boolean> finish(long jobId, DownloadStatus outcome, String error, long bytesDone) {
    return pool.withTransaction(tx -> tx.preparedQuery("UPDATE download_job SET status = $3, error = $4, bytes_done = $5, "
                + "owner = NULL, lease_until = NULL, current_file = NULL, finished_at = now(), version = version + 1, "
                + "updated_at = now() WHERE id = $1 AND owner = $2 AND status = 'running' RETURNING version, bytes_total")
        .execute(Tuple.of(jobId, owner, outcome.wire(), error, bytesDone))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          Row row = rows.iterator().next();
          return Outbox.append(tx, DownloadEvents.completed(jobId, row.getLong("version"), outcome, error, bytesDone,
              row.getLong("bytes_total"))).map(true);
        }));
  }

  /** Whether partial files are to be kept when the job stops early (set on submit, or by the cancel request). */
  public Future<Boolean> keepsPartials(long jobId) {
    return pool.preparedQuery("SELECT keep_partial FROM download_job WHERE id = $1").execute(Tuple.of(jobId))
        .map(rows -> rows.size() == 1 && rows.iterator().next().getBoolean("keep_partial"));
  }

  /** Hands a job back on shutdown: still running, claimable by any worker at once, resumed from its partial files. */
  public Future<Void> release(long jobId) {
    return pool.preparedQuery("UPDATE download_job SET owner = NULL, lease_until = now() "
        + "WHERE id = $1 AND owner = $2 AND status = 'running'").execute(Tuple.of(jobId, owner)).mapEmpty();
  }

  private interface VersionedWrite {
    Future<Void> apply(long version);
  }

  private static Future<LeaseState> held(Future<RowSet<Row>> update, VersionedWrite then) {
    return update.compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(LeaseState.LOST);
      }
      Row row = rows.iterator().next();
      return then.apply(row.getLong("version")).map(done -> new LeaseState(true, row.getBoolean("cancel_requested")));
    });
  }

  private static LeaseState leaseState(RowSet<Row> rows) {
    return rows.size() == 0 ? LeaseState.LOST : new LeaseState(true, rows.iterator().next().getBoolean("cancel_requested"));
  }
}

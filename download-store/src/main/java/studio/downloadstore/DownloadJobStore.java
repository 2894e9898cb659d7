package studio.downloadstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.outbox.Outbox;

/**
 * Download jobs as the web gateway sees them: submit, read, list, cancel. Every state change
 * writes its event to the outbox in the same transaction and bumps the job's version.
 */
public final class DownloadJobStore {
  public static final int MAX_PAGE = 100;
  private static final String JOB_COLUMNS = "id, status, source, keep_partial, cancel_requested, version, attempts, "
      + "bytes_done, bytes_total, current_file, error, created_at, updated_at, started_at, finished_at";
  private final Pool pool;

  public DownloadJobStore(Pool pool) {
    this.pool = pool;
  }

  /** Queues a job; the answer is the job as {@link #find} would read it. */
  public Future<JsonObject> create(DownloadRequest request) {
    Long total = request.huggingface() != null || request.files().stream().anyMatch(f -> f.size() == null) ? null
        : request.files().stream().mapToLong(FileSpec::size).sum();
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO download_job (source, resolved, keep_partial, bytes_total) "
                + "VALUES ($1, $2, $3, $4) RETURNING id")
            .execute(Tuple.of(request.toSourceJson(), request.huggingface() == null, request.keepPartial(), total))
            .map(rows -> rows.iterator().next().getLong("id"))
            .compose(id -> insertFiles(tx, id, request.files())
                .compose(done -> Outbox.append(tx, DownloadEvents.updated(id, 1, new JsonObject()
                    .put("status", DownloadStatus.QUEUED.wire()).put("bytes_done", 0).put("bytes_total", total))))
                .map(id)))
        .compose(this::find);
  }

  /** Inserts a job's files in order; the download service uses it for a resolved HuggingFace listing too. */
  public static Future<Void> insertFiles(SqlClient tx, long jobId, List<FileSpec> files) {
    if (files.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      FileSpec file = files.get(i);
      rows.add(Tuple.of(jobId, i, file.url(), file.path(), file.size(), file.sha256()));
    }
    return tx.preparedQuery("INSERT INTO download_file (job_id, ordinal, url, path, size, sha256) "
        + "VALUES ($1, $2, $3, $4, $5, $6)").executeBatch(rows).mapEmpty();
  }

  /** The job with its files, or {@code not_found}. */
  public Future<JsonObject> find(long id) {
    return pool.preparedQuery("SELECT " + JOB_COLUMNS + " FROM download_job WHERE id = $1").execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(notFound(id));
          }
          JsonObject job = view(rows.iterator().next());
          return pool.preparedQuery("SELECT path, url, size, sha256, bytes_done, status FROM download_file "
                  + "WHERE job_id = $1 ORDER BY ordinal").execute(Tuple.of(id))
              .map(files -> {
                JsonArray list = new JsonArray();
                files.forEach(file -> list.add(file.toJson()));
                return job.put("files", list);
              });
        });
  }

  /** Newest first; {@code before} is the {@code next_before} of the previous page. */
  public Future<JsonObject> list(int limit, Long before) {
    return pool.preparedQuery("SELECT " + JOB_COLUMNS + " FROM download_job WHERE ($2::BIGINT IS NULL OR id < $2) "
            + "ORDER BY id DESC LIMIT $1").execute(Tuple.of(limit + 1, before))
        .map(rows -> {
          JsonArray items = new JsonArray();
          Long next = null;
          for (Row row : rows) {
            if (items.size() == limit) {
              next = items.getJsonObject(limit - 1).getLong("id");
              break;
            }
            items.add(view(row));
          }
          return new JsonObject().put("items", items).put("next_before", next);
        });
  }

  /**
   * Asks a job to stop. A queued job is cancelled here and now; a running one is flagged for its
   * worker (which the caller then wakes over the bus); a cancelled job is left as is (a retried
   * cancel is harmless); a job that already succeeded or failed is a {@code conflict}.
   */
  public Future<JsonObject> requestCancel(long id, Boolean keepPartial) {
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT status, version, bytes_done, bytes_total FROM download_job "
                + "WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(notFound(id));
              }
              Row row = rows.iterator().next();
              DownloadStatus status = DownloadStatus.fromWire(row.getString("status"));
              long version = row.getLong("version") + 1;
              return switch (status) {
                case CANCELLED -> Future.<Void>succeededFuture();
                case SUCCEEDED, FAILED -> Future.<Void>failedFuture(new ContractException(ErrorCode.CONFLICT,
                    "download job " + id + " already " + status.wire() + "; there is nothing to cancel"));
                case QUEUED -> tx.preparedQuery("UPDATE download_job SET status = 'cancelled', cancel_requested = true, "
                        + "keep_partial = COALESCE($2, keep_partial), version = $3, finished_at = now(), updated_at = now() "
                        + "WHERE id = $1").execute(Tuple.of(id, keepPartial, version))
                    .compose(updated -> Outbox.append(tx, DownloadEvents.completed(id, version, DownloadStatus.CANCELLED,
                        null, row.getLong("bytes_done"), row.getLong("bytes_total"))))
                    .<Void>mapEmpty();
                case RUNNING -> tx.preparedQuery("UPDATE download_job SET cancel_requested = true, "
                        + "keep_partial = COALESCE($2, keep_partial), version = $3, updated_at = now() WHERE id = $1")
                    .execute(Tuple.of(id, keepPartial, version))
                    .compose(updated -> Outbox.append(tx, DownloadEvents.updated(id, version, new JsonObject()
                        .put("status", status.wire()).put("cancel_requested", true)
                        .put("bytes_done", row.getLong("bytes_done")).put("bytes_total", row.getLong("bytes_total")))))
                    .<Void>mapEmpty();
              };
            }))
        .compose(done -> find(id));
  }

  public static ContractException notFound(long id) {
    return new ContractException(ErrorCode.NOT_FOUND, "no download job " + id);
  }

  private static JsonObject view(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("status", row.getString("status"))
        .put("version", row.getLong("version"))
        .put("source", row.getJsonObject("source"))
        .put("keep_partial", row.getBoolean("keep_partial"))
        .put("cancel_requested", row.getBoolean("cancel_requested"))
        .put("attempts", row.getInteger("attempts"))
        .put("bytes_done", row.getLong("bytes_done"))
        .put("bytes_total", row.getLong("bytes_total"))
        .put("current_file", row.getString("current_file"))
        .put("error", row.getString("error"))
        .put("created_at", instant(row.getOffsetDateTime("created_at")))
        .put("updated_at", instant(row.getOffsetDateTime("updated_at")))
        .put("started_at", instant(row.getOffsetDateTime("started_at")))
        .put("finished_at", instant(row.getOffsetDateTime("finished_at")));
  }

  private static String instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}

package studio.tasks.queue;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import studio.runtime.metrics.SampledGauges;
import studio.taskstore.TaskEvents;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskTransitions;
import studio.taskstore.Tasks;

/**
 * The runner's side of the queue. A claim takes queued rows with {@code FOR UPDATE SKIP LOCKED}, so
 * runners never wait on each other and never take the same row; it sets a lease (owner, expiry) that
 * the owner renews while it works. A lease nobody renews expires and the row is reclaimed.
 */
public final class TaskQueue {
  private static final String CLAIM = """
      WITH next AS (
        SELECT id FROM task WHERE status = 'queued' AND run_after <= now()
        ORDER BY run_after, id LIMIT $1 FOR UPDATE SKIP LOCKED)
      UPDATE task t SET status = 'running', stage = 'starting', attempts = t.attempts + 1,
        lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3::float8),
        started_at = COALESCE(t.started_at, now()),
        runtime = COALESCE(t.runtime, '{}'::jsonb) || jsonb_build_object('executor', t.executor, 'runner', $2::text,
          'attempt', t.attempts + 1),
        version = t.version + 1, updated_at = now()
      FROM next WHERE t.id = next.id RETURNING t.*""";

  private static final String QUEUED = "SELECT count(*) FROM task WHERE status = 'queued'";
  /** Through the claim index: the due task a runner would take first is the one that has waited longest. */
  private static final String OLDEST_DUE_WAIT = "SELECT EXTRACT(EPOCH FROM now() - run_after) FROM task "
      + "WHERE status = 'queued' AND run_after <= now() ORDER BY run_after, id LIMIT 1";

  private final Pool pool;
  private final String owner;
  private final Duration lease;

  public TaskQueue(Pool pool, String owner, Duration lease) {
    this.pool = pool;
    this.owner = owner;
    this.lease = lease;
  }

  /**
   * The queue as gauges: {@code studio_tasks_queued} (due or waiting out a retry backoff) and
   * {@code studio_tasks_oldest_queued_age_seconds}, how long the longest-waiting due task has waited
   * for a runner (0 when none is due). Every runner reports the same shared queue.
   */
  public static SampledGauges gauges(Vertx vertx, Pool pool, MeterRegistry registry) {
    return new SampledGauges(vertx, pool, registry)
        .gauge("studio_tasks_queued", "tasks queued, due or waiting out a retry backoff", QUEUED)
        .gauge("studio_tasks_oldest_queued_age_seconds",
            "seconds the longest-waiting due task has waited for a runner", OLDEST_DUE_WAIT);
  }

  public String owner() {
    return owner;
  }

  /**
   * Up to {@code limit} tasks, oldest due first, in one statement and one transaction: each leased to
   * this runner and announced {@code running} ({@code node.task.updated}, one multi-row insert for all)
   * in the claim's transaction.
   */
  public Future<List<TaskRow>> claim(int limit) {
    return pool.withTransaction(tx -> claimIn(tx, limit)
        .compose(claimed -> TaskEvents.updated(tx, claimed).map(claimed)));
  }

  /**
   * Leases up to {@code limit} due tasks, in id order, inside the caller's transaction; the caller
   * appends their {@code node.task.updated} events in that transaction (a finish batch that takes the
   * next tasks before its commit, {@link TaskTransitions#changeAllThenClaim}).
   */
  public Future<List<TaskRow>> claimIn(SqlClient tx, int limit) {
    if (limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    return tx.preparedQuery(CLAIM).execute(Tuple.of(limit, owner, seconds(lease)))
        .map(rows -> {
          List<TaskRow> claimed = new ArrayList<>(Tasks.rows(rows));
          claimed.sort(Comparator.comparingLong(TaskRow::id));
          return claimed;
        });
  }

  /** Extends every lease this runner holds; answers each still-held task's cancel flag. */
  public Future<Map<Long, Boolean>> renew() {
    return pool.preparedQuery("""
            UPDATE task SET lease_expires_at = now() + make_interval(secs => $2::float8)
            WHERE lease_owner = $1 AND status = 'running' RETURNING id, cancel_requested""")
        .execute(Tuple.of(owner, seconds(lease)))
        .map(rows -> {
          List<Row> held = new ArrayList<>();
          rows.forEach(held::add);
          return held.stream().collect(Collectors.toMap(row -> row.getLong("id"), row -> row.getBoolean("cancel_requested")));
        });
  }

  /** Running tasks whose lease ran out: their runner died or lost the database. */
  public Future<List<Long>> expired(int limit) {
    return pool.preparedQuery("""
            SELECT id FROM task WHERE status = 'running' AND lease_expires_at < now()
            ORDER BY lease_expires_at LIMIT $1""")
        .execute(Tuple.of(limit))
        .map(rows -> {
          List<Long> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getLong("id")));
          return ids;
        });
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}

package studio.outbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.RealtimePublisher;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;

/**
 * Publishes pending outbox rows to the socket hub and marks them sent. One relay at a time holds a
 * PostgreSQL advisory lock per batch, so rows go out in id order even with many replicas; a row
 * that fails stays pending (attempt count and error recorded) and is retried with backoff, so
 * nothing is lost while the hub is down, and nothing doubles when it comes back (idempotency key).
 */
public final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  /** Any constant shared by every relay: it names the lock, not a row. */
  private static final long RELAY_LOCK = 0x5354_5544_494f_0001L;
  private static final int BATCH = 100;
  private static final long MAX_BACKOFF_MS = 10_000;

  private final Vertx vertx;
  private final Pool pool;
  private final RealtimePublisher publisher;
  private final Duration pollInterval;
  private boolean running;
  private boolean stopped;
  private boolean wakeRequested;
  private int failures;
  private long timer = -1;

  public OutboxRelay(Vertx vertx, Pool pool, RealtimePublisher publisher, Duration pollInterval) {
    this.vertx = vertx;
    this.pool = pool;
    this.publisher = publisher;
    this.pollInterval = pollInterval;
  }

  /**
   * How long one publish may take before the relay retries it. Short, because a retry is free (the
   * hub deduplicates by the row's idempotency key) while a send that went to a replica that just
   * died is only noticed by this timeout, holding back every later event of the outbox meanwhile.
   */
  public static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(3);

  /** The relay a producer service runs: publishes over the event bus to any hub replica. */
  public static OutboxRelay toHub(Vertx vertx, Pool pool, Duration pollInterval) {
    return new OutboxRelay(vertx, pool, new RealtimePublisher(vertx, PUBLISH_TIMEOUT), pollInterval);
  }

  public void start() {
    schedule(0);
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  /** Publishes soon instead of at the next poll: call after committing an append. */
  public void wake() {
    if (running) {
      wakeRequested = true;
    } else if (!stopped) {
      vertx.cancelTimer(timer);
      schedule(0);
    }
  }

  private void schedule(long delayMillis) {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, delayMillis), fired -> runBatch());
    }
  }

  private void runBatch() {
    running = true;
    wakeRequested = false;
    pool.withTransaction(this::publishBatch)
        .onComplete(done -> running = false)
        .compose(batch -> batch.failure() == null ? Future.succeededFuture(batch.sent())
            : Future.<Integer>failedFuture(batch.failure()))
        .onSuccess(published -> {
          failures = 0;
          schedule(published == BATCH || wakeRequested ? 0 : pollInterval.toMillis());
        })
        .onFailure(failure -> {
          long backoff = Math.min(MAX_BACKOFF_MS, pollInterval.toMillis() << Math.min(++failures, 6));
          LOG.warn("outbox relay: {} (retrying in {} ms)", failure.getMessage(), backoff);
          schedule(backoff);
        });
  }

  /** Rows marked sent in a batch commit even when a later row fails; the failure ends the batch. */
  private record Batch(int sent, Throwable failure) {
  }

  private Future<Batch> publishBatch(SqlConnection tx) {
    return tx.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS locked").execute(Tuple.of(RELAY_LOCK))
        .compose(lock -> !lock.iterator().next().getBoolean("locked") ? Future.succeededFuture(new Batch(0, null))
            : tx.preparedQuery("SELECT id, draft FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1")
                .execute(Tuple.of(BATCH))
                .compose(rows -> publishInOrder(tx, rows)));
  }

  /** One after another: a failure stops the batch so no later row overtakes it. */
  private Future<Batch> publishInOrder(SqlConnection tx, Iterable<Row> rows) {
    List<Row> pending = new ArrayList<>();
    rows.forEach(pending::add);
    Future<Batch> chain = Future.succeededFuture(new Batch(0, null));
    for (Row row : pending) {
      chain = chain.compose(batch -> batch.failure() != null ? Future.succeededFuture(batch)
          : publishRow(tx, row).map(ok -> new Batch(batch.sent() + 1, null))
              .recover(failure -> Future.succeededFuture(new Batch(batch.sent(), failure))));
    }
    return chain;
  }

  private Future<Void> publishRow(SqlConnection tx, Row row) {
    long id = row.getLong("id");
    JsonObject draftJson = row.getJsonObject("draft");
    if (draftJson.getValue("idempotency_key") == null) {
      draftJson.put("idempotency_key", Outbox.idempotencyKey(id));
    }
    DraftEvent draft = DraftEvent.fromJson(draftJson);
    return publisher.publish(draft)
        .compose(envelope -> markSent(tx, id, envelope))
        .recover(failure -> recordFailure(id, failure).compose(recorded -> Future.failedFuture(
            "row " + id + " not published: " + failure.getMessage())));
  }

  private static Future<Void> markSent(SqlConnection tx, long id, Envelope envelope) {
    return tx.preparedQuery("UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL, "
            + "envelope = $2 WHERE id = $1")
        .execute(Tuple.of(id, envelope.toJson())).mapEmpty();
  }

  /** Outside the batch transaction, which is about to roll back, so the attempt is remembered. */
  private Future<Void> recordFailure(long id, Throwable failure) {
    return pool.preparedQuery("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
        .execute(Tuple.of(id, String.valueOf(failure.getMessage()))).<Void>mapEmpty()
        .otherwiseEmpty();
  }
}

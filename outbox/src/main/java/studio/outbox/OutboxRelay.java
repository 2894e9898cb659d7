package studio.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.metrics.SampledGauges;
import studio.runtime.retry.Backoff;

/**
 * Publishes pending outbox rows to the socket hub and marks them sent. One relay at a time holds a
 * PostgreSQL advisory lock per batch, so rows go out in id order even with many replicas. A row that
 * fails for a reason that may pass (no hub, timeout: a retryable {@link ErrorCode}) stays pending
 * (attempt count and error recorded) and is retried with backoff, so nothing is lost while the hub is
 * down, and nothing doubles when it comes back (idempotency key). A row that can never be published
 * (its draft cannot be read, or the hub refuses it with a non-retryable code such as
 * {@code too_large}) is dead-lettered: marked {@code dead_at} with its error, logged once and counted
 * in {@code studio_outbox_dead_lettered_total}, and the rows after it go on.
 */
public final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  /** Any constant shared by every relay: it names the lock, not a row. */
  private static final long RELAY_LOCK = 0x5354_5544_494f_0001L;
  private static final int BATCH = 100;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final Pool pool;
  private final RealtimePublisher publisher;
  private final Duration pollInterval;
  private final Counter deadLettered;
  private final SampledGauges backlog;
  private boolean running;
  private boolean stopped;
  private boolean wakeRequested;
  private final Backoff backoff;
  private long timer = -1;

  public OutboxRelay(Vertx vertx, Pool pool, RealtimePublisher publisher, Duration pollInterval, MeterRegistry metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.publisher = publisher;
    this.pollInterval = pollInterval;
    // 2, 4, 8 ... poll intervals apart; at most 10 s, or 64 intervals when that is shorter (a relay
    // polling fast, in development and tests, comes back as fast).
    Duration cap = pollInterval.multipliedBy(64).compareTo(MAX_BACKOFF) < 0 ? pollInterval.multipliedBy(64) : MAX_BACKOFF;
    this.backoff = Backoff.exponential(pollInterval.multipliedBy(2), cap);
    this.deadLettered = Counter.builder("studio_outbox_dead_lettered")
        .description("outbox rows moved aside because they can never be published (see the outbox table's dead_at)")
        .register(metrics);
    this.backlog = OutboxStats.gauges(vertx, pool, metrics);
  }

  /**
   * How long one publish may take before the relay retries it. Short, because a retry is free (the
   * hub deduplicates by the row's idempotency key) while a send that went to a replica that just
   * died is only noticed by this timeout, holding back every later event of the outbox meanwhile.
   */
  public static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(3);

  /** The relay a producer service runs: publishes over the event bus to any hub replica. */
  public static OutboxRelay toHub(Vertx vertx, Pool pool, Duration pollInterval, MeterRegistry metrics) {
    return new OutboxRelay(vertx, pool, new RealtimePublisher(vertx, PUBLISH_TIMEOUT), pollInterval, metrics);
  }

  public void start() {
    backlog.start();
    LOG.info("outbox relay started (polls every {} ms, and at once when woken)", pollInterval.toMillis());
    schedule(0);
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    backlog.stop();
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
        .onSuccess(this::reportDeadLetters)
        .compose(batch -> batch.failure == null ? Future.succeededFuture(batch.handled)
            : Future.<Integer>failedFuture(batch.failure))
        .onSuccess(handled -> {
          backoff.reset();
          schedule(handled == BATCH || wakeRequested ? 0 : pollInterval.toMillis());
        })
        .onFailure(failure -> {
          long delay = backoff.nextMillis();
          LOG.warn("outbox relay: {} (retrying in {} ms)", failure.getMessage(), delay);
          schedule(delay);
        });
  }

  /** Once per row, after the batch that moved it aside committed (a rolled-back batch meets it again). */
  private void reportDeadLetters(Batch batch) {
    batch.deadLetters.forEach(dead -> {
      deadLettered.increment();
      LOG.error("outbox relay: row {} dead-lettered, it can never be published ({}); the rows after it go on. "
          + "Inspect it with: SELECT * FROM outbox WHERE id = {}", dead.id(), dead.error(), dead.id());
    });
  }

  private record DeadLetter(long id, String error) {
  }

  /**
   * What one batch did. Rows marked sent or dead-lettered commit even when a later row fails; a
   * retryable failure ends the batch, so no later row overtakes the row that must be retried.
   */
  private static final class Batch {
    int handled;
    final List<DeadLetter> deadLetters = new ArrayList<>();
    Throwable failure;
  }

  private Future<Batch> publishBatch(SqlConnection tx) {
    return tx.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS locked").execute(Tuple.of(RELAY_LOCK))
        .compose(lock -> !lock.iterator().next().getBoolean("locked") ? Future.succeededFuture(new Batch())
            : tx.preparedQuery("SELECT id, draft FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL "
                    + "ORDER BY id LIMIT $1")
                .execute(Tuple.of(BATCH))
                .compose(rows -> publishInOrder(tx, rows)));
  }

  /** One after another, on the relay's event loop. */
  private Future<Batch> publishInOrder(SqlConnection tx, Iterable<Row> rows) {
    Batch batch = new Batch();
    Future<Void> chain = Future.succeededFuture();
    for (Row row : rows) {
      chain = chain.compose(previous -> batch.failure != null ? Future.succeededFuture()
          : publishRow(tx, row, batch));
    }
    return chain.map(batch);
  }

  private Future<Void> publishRow(SqlConnection tx, Row row, Batch batch) {
    long id = row.getLong("id");
    return storedDraft(id, row)
        .compose(publisher::publish)
        .compose(envelope -> markSent(tx, id, envelope))
        .onSuccess(sent -> batch.handled++)
        .recover(failure -> {
          if (neverPublishable(failure)) {
            return deadLetter(tx, id, failure).onSuccess(moved -> {
              batch.handled++;
              batch.deadLetters.add(new DeadLetter(id, errorText(failure)));
            });
          }
          batch.failure = new IllegalStateException("row " + id + " not published: " + failure.getMessage());
          return recordFailure(id, failure);
        });
  }

  /** The row's draft with its relay idempotency key; a draft that cannot be read is an {@code invalid_draft}. */
  private static Future<DraftEvent> storedDraft(long id, Row row) {
    try {
      JsonObject draftJson = row.getJsonObject("draft");
      if (draftJson != null && draftJson.getValue("idempotency_key") == null) {
        draftJson.put("idempotency_key", Outbox.idempotencyKey(id));
      }
      return Future.succeededFuture(DraftEvent.fromJson(draftJson));
    } catch (ContractException refused) {
      return Future.failedFuture(refused);
    } catch (RuntimeException unreadable) {
      return Future.failedFuture(new ContractException(ErrorCode.INVALID_DRAFT, "draft",
          "the stored draft is not a draft object: " + unreadable.getMessage()));
    }
  }

  /** Only a refusal that names the row itself: retrying the same draft could never succeed. */
  private static boolean neverPublishable(Throwable failure) {
    return failure instanceof ContractException refused && !refused.code().retryable();
  }

  private static Future<Void> markSent(SqlConnection tx, long id, Envelope envelope) {
    return tx.preparedQuery("UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL, "
            + "envelope = $2 WHERE id = $1")
        .execute(Tuple.of(id, envelope.toJson())).mapEmpty();
  }

  /** In the batch transaction, so it commits with the rows sent before it and the batch goes on. */
  private static Future<Void> deadLetter(SqlConnection tx, long id, Throwable failure) {
    return tx.preparedQuery("UPDATE outbox SET dead_at = now(), attempts = attempts + 1, last_error = $2 WHERE id = $1")
        .execute(Tuple.of(id, errorText(failure))).mapEmpty();
  }

  /** Outside the batch transaction, so the attempt is remembered whatever becomes of the batch. */
  private Future<Void> recordFailure(long id, Throwable failure) {
    return pool.preparedQuery("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
        .execute(Tuple.of(id, errorText(failure))).<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** {@code <code>: <message>} for catalogue failures, so operators can group dead rows by reason. */
  private static String errorText(Throwable failure) {
    return failure instanceof ContractException refused ? refused.code().wire() + ": " + refused.getMessage()
        : String.valueOf(failure.getMessage());
  }
}

package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.RedisStreams;
import studio.contract.error.ContractException;
import studio.hub.metrics.HubMetrics;
import studio.runtime.retry.Backoff;

/**
 * Drafts from workers that only have Redis: {@code XADD studio:rt:ingress * draft <json>}, published
 * in the order the workers added them, each once.
 *
 * <p>Every hub instance of every replica joins one consumer group, but only one reads at a time: the
 * holder of the {@link ReaderLease} ({@link RedisStreams#INGRESS_READER}). Several readers would
 * each get a share of the entries and publish them concurrently, out of order. The others try to take
 * the lease every third of its TTL, so a reader that stops hands over within a third of the TTL, and
 * one that dies within the TTL and a third; meanwhile drafts wait in the stream.
 *
 * <p>The reader publishes strictly in stream order. On taking over it moves every entry still pending
 * in the group (the previous reader's) to itself; then it reads its own pending entries first, oldest
 * first, and new ones only when none is pending. A publish that fails but may work later is retried,
 * the same entry, with backoff, holding back the entries behind it (head of line), until it passes or
 * the group has delivered it {@code maxDeliveries} times (the count Redis keeps, so it holds across
 * replicas and restarts). An entry is acknowledged only once published, or once parked in
 * {@link RedisStreams#INGRESS_DEAD_LETTERS} because it can never be published: at once when the draft
 * is refused (invalid, too large), or at that cap. An entry without its own idempotency key gets
 * {@code ingress:<stream id>}, so a redelivery never publishes twice.
 *
 * <p>Every {@code claimIdle / 2} the reader takes over entries pending that long at another consumer
 * (one that read without the lease: a hub of an older version during a rolling upgrade), trims the
 * stream below what is still owed and forgets the consumer names of replicas that are gone
 * ({@link IngressTrim}).
 */
public final class StreamIngress {
  public static final String GROUP = "studio-hub";
  private static final Logger LOG = LoggerFactory.getLogger(StreamIngress.class);
  private static final int BATCH = 100;
  /** How long one wait for new entries blocks; the reader checks its lease between waits. */
  private static final long WAIT_MILLIS = 1000;
  /** How long a stopping reader lets an entry being published finish before it hands the lease over. */
  private static final long STOP_GRACE_MILLIS = 5_000;
  private static final RuntimeException NOT_READER = new IllegalStateException("no longer the ingress reader") {
    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  };

  private final Vertx vertx;
  private final Redis commands;
  private final Supplier<Future<RedisConnection>> connector;
  private final PublishService publisher;
  private final long claimIdleMillis;
  private final int maxDeliveries;
  private final DeadLetters deadLetters;
  private final IngressTrim trim;
  /** The process id in it tells an operator (and the chaos suite) which replica holds the lease. */
  private final String consumer = "hub-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
  private final ReaderLease lease;
  private final LeasedReads reads;
  /** The dedicated connection that waits for new entries (a blocking read). */
  private RedisConnection reader;
  private volatile boolean stopped;
  /** The read loop runs (it ends by itself once the lease is not held). */
  private boolean reading;
  /** Since taking the lease, every entry the group had pending was moved to this reader. */
  private boolean tookOver;
  /**
   * 100 ms, 200 ms, 400 ms ... at most 5 s: after read failures in a row (its counter), and between
   * deliveries of an entry whose publish failed (by the entry's retries).
   */
  private final Backoff retryDelays = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));
  /** The read loop's current round, which a stop lets finish. */
  private Future<Void> round = Future.succeededFuture();
  private Promise<Void> pauseWait;
  /** The round's wait for new entries (a blocking XREAD), which a stop ends without waiting for its reply. */
  private Promise<Void> entriesWait;
  private long pauseTimer = -1;
  private long leaseTimer;
  private long maintenanceTimer;

  public StreamIngress(Vertx vertx, Redis commands, Supplier<Future<RedisConnection>> connector,
                       PublishService publisher, Duration claimIdle, Duration leaseTtl, int maxDeliveries,
                       HubMetrics metrics) {
    this.claimIdleMillis = claimIdle.toMillis();
    this.maxDeliveries = maxDeliveries;
    this.vertx = vertx;
    this.commands = commands;
    this.connector = connector;
    this.publisher = publisher;
    this.deadLetters = new DeadLetters(commands, metrics);
    this.trim = new IngressTrim(commands);
    this.lease = new ReaderLease(commands, consumer, leaseTtl);
    this.reads = new LeasedReads(commands, GROUP, consumer);
  }

  /** Creates the group if needed and starts competing for the reader lease; completes once the group exists. */
  public Future<Void> start() {
    return createGroup()
        .onSuccess(created -> {
          leaseTimer = vertx.setPeriodic(lease.refreshMillis(), timer -> refreshLease());
          maintenanceTimer = vertx.setPeriodic(Math.max(100, claimIdleMillis / 2), timer -> maintain());
          refreshLease();
        });
  }

  /** Lets an entry being published finish (briefly), then hands the lease to another hub at once. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(leaseTimer);
    vertx.cancelTimer(maintenanceTimer);
    vertx.cancelTimer(pauseTimer);
    if (pauseWait != null) {
      pauseWait.tryFail(NOT_READER);
    }
    // A wait for new entries publishes nothing: end it now rather than when its XREAD times out.
    if (entriesWait != null) {
      entriesWait.tryFail(NOT_READER);
    }
    Future<Void> closed = reader == null ? Future.succeededFuture() : reader.close();
    return closed
        .transform(done -> round.timeout(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS))
        .transform(done -> lease.release())
        .transform(released -> Future.succeededFuture());
  }

  /** Whether this instance is the one that reads the ingress stream now. */
  public boolean holdsReaderLease() {
    return !stopped && lease.held();
  }

  private void refreshLease() {
    if (stopped) {
      return;
    }
    boolean wasClaimed = lease.claimed();
    lease.refresh()
        .onSuccess(held -> {
          if (stopped) {
            return;
          }
          if (wasClaimed && !held) {
            LOG.warn("{} lost the ingress reader lease (it was paused or cut off longer than its TTL, or Redis "
                + "lost its data); it stops reading until it holds the lease again", consumer);
          }
          if (held && !reading) {
            reading = true;
            tookOver = false;
            LOG.info("{} holds the ingress reader lease and reads {} now", consumer, RedisStreams.INGRESS);
            readLoop();
          }
        })
        .onFailure(failure -> LOG.debug("refreshing the ingress reader lease failed: {}", failure.getMessage()));
  }

  /** From the stream's start, so entries added while the group was missing (Redis lost its data) are read too. */
  private Future<Void> createGroup() {
    return commands.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(RedisStreams.INGRESS).arg(GROUP).arg("0")
            .arg("MKSTREAM"))
        .recover(failure -> failure.getMessage() != null && failure.getMessage().startsWith("BUSYGROUP")
            ? Future.succeededFuture() : Future.failedFuture(failure))
        .mapEmpty();
  }

  /** One round: take over (once), read a batch, publish it, or wait for new entries; then the next. */
  private void readLoop() {
    if (stopped || !lease.held()) {
      reading = false;
      return;
    }
    round = takeOver()
        .compose(taken -> reads.read(BATCH))
        .compose(batch -> batch.entries() == null ? awaitNewEntries(batch.newest()) : processEntries(batch.entries()));
    round
        .onSuccess(done -> {
          retryDelays.reset();
          readLoop();
        })
        .onFailure(this::roundFailed);
  }

  private void roundFailed(Throwable failure) {
    if (stopped) {
      return;
    }
    if (failure == NOT_READER || LeasedReads.isNotHolder(failure)) {
      // Another hub reads now (or may: the lease was not confirmed in time); what this one read and
      // did not publish stays pending, for whoever reads next to take over. Redis said it outright:
      // take the lease again only once it is free. Only not confirmed: the next renewal may keep it.
      if (failure != NOT_READER) {
        lease.lost();
      }
      reading = false;
      LOG.warn("{} no longer holds the ingress reader lease ({}); stopped reading", consumer, failure.getMessage());
      return;
    }
    if (reader != null) {
      reader.close();
      reader = null;
    }
    long delay = retryDelays.nextMillis();
    // A single dropped read is routine (shutdown, failover); a run of them is an outage.
    if (retryDelays.failures() >= 3) {
      LOG.warn("ingress stream read failed {} times ({}); retrying in {} ms", retryDelays.failures(), failure.getMessage(), delay);
    } else {
      LOG.debug("ingress stream read failed ({}); retrying in {} ms", failure.getMessage(), delay);
    }
    Future<Void> ready = isMissingGroup(failure) ? createGroup() : Future.succeededFuture();
    ready.onComplete(created -> vertx.setTimer(delay, timer -> readLoop()));
  }

  /** Redis lost its data (or an operator removed the group): recreate it, or no replica reads again. */
  private static boolean isMissingGroup(Throwable failure) {
    return failure.getMessage() != null && failure.getMessage().contains("NOGROUP");
  }

  /**
   * Right after taking the lease: every entry pending in the group (whatever the previous reader read
   * and did not acknowledge) becomes this reader's, so it publishes them first, oldest first.
   */
  private Future<Void> takeOver() {
    if (tookOver) {
      return Future.succeededFuture();
    }
    return claimPending(0, "0-0").onSuccess(claimed -> tookOver = true);
  }

  /** Takes over the group's entries pending at least {@code minIdleMillis}, page by page until the cursor is back at 0-0. */
  private Future<Void> claimPending(long minIdleMillis, String cursor) {
    return reads.claim(minIdleMillis, cursor, BATCH)
        .compose(next -> "0-0".equals(next) ? Future.succeededFuture() : claimPending(minIdleMillis, next));
  }

  /** Blocks (on the dedicated connection) until the stream has an entry after {@code newest}, or a second passed. */
  private Future<Void> awaitNewEntries(String newest) {
    if (stopped) {
      // The read that found nothing was in flight when the stop came: no wait (and no new connection) after it.
      return Future.failedFuture(NOT_READER);
    }
    Future<RedisConnection> connection = reader != null ? Future.succeededFuture(reader)
        : connector.get().onSuccess(opened -> reader = opened);
    Promise<Void> waiting = Promise.promise();
    entriesWait = waiting;
    connection
        .compose(conn -> conn.send(Request.cmd(Command.XREAD).arg("COUNT").arg(1).arg("BLOCK").arg(WAIT_MILLIS)
            .arg("STREAMS").arg(RedisStreams.INGRESS).arg(newest)))
        .<Void>mapEmpty()
        // A stop may have ended the wait already; the XREAD's own end (its connection closed) is then no news.
        .onComplete(waiting::tryComplete, waiting::tryFail);
    return waiting.future();
  }

  /** The holder's round of housekeeping: stray pending entries, trim, gone consumers. */
  private void maintain() {
    if (stopped || !lease.held()) {
      return;
    }
    claimPending(claimIdleMillis, "0-0")
        .onFailure(failure -> LOG.warn("taking over stale ingress entries failed: {}", failure.getMessage()))
        .transform(claimed -> trim.trim())
        // Only consumers that hold nothing go, so this is safe at any age (a read recreates its consumer);
        // the idle bound, three take-over intervals, only spares live readers the churn.
        .transform(trimmed -> trim.forgetGoneConsumers(GROUP, 3 * claimIdleMillis))
        .onFailure(failure -> LOG.debug("trimming the ingress stream failed: {}", failure.getMessage()));
  }

  /**
   * In stream order, one after another: each entry is published only after the one before it was
   * published or parked, and the handled ones are acknowledged together at the end, or before an
   * entry's retry waits.
   */
  private Future<Void> processEntries(Response entries) {
    Future<Void> chain = Future.succeededFuture();
    List<String> handled = new ArrayList<>();
    for (Response entry : entries) {
      if (entry == null || entry.size() < 1) {
        continue;
      }
      String id = entry.get(0).toString();
      Response fields = entry.size() < 2 ? null : entry.get(1);
      chain = chain.compose(previous -> deliver(id, fields, 0, handled)).onSuccess(done -> handled.add(id));
    }
    return chain.eventually(() -> acknowledgeHandled(handled));
  }

  /**
   * Acknowledges the entries of the batch handled so far. Also before a failing entry's retry waits:
   * the entries published before it would otherwise stay pending as long as it fails, and the stream
   * could not be trimmed below them ({@link IngressTrim}).
   */
  private Future<Void> acknowledgeHandled(List<String> handled) {
    List<String> ids = List.copyOf(handled);
    return acknowledge(ids).onSuccess(acked -> handled.removeAll(ids));
  }

  /**
   * Publishes one entry, retrying it (with backoff) while its publish fails in a way that may pass,
   * so nothing behind it overtakes it.
   *
   * <p>The lease is checked before every publish, but a reader paused right after that check may
   * still publish one entry after another hub took over and published it too. That overlap is safe:
   * the entry's idempotency key ({@code ingress:<id>}, or the producer's own) makes the second publish
   * an answer from the idempotency window that delivers nothing. And the first publish of each entry
   * still comes in stream order, because either reader publishes an entry only after it saw every
   * earlier one published (by itself, or found already published).
   */
  private Future<Void> deliver(String id, Response fields, int retries, List<String> handled) {
    if (stopped || !lease.held()) {
      return Future.failedFuture(NOT_READER);
    }
    if (fields == null) {
      // Deleted from the stream while pending (XDEL by hand): nothing to publish, only to acknowledge.
      return Future.succeededFuture();
    }
    return publish(id, fields).recover(failure -> {
      if (!(failure instanceof ContractException)) {
        return Future.failedFuture(failure);
      }
      long delay = retryDelays.delayMillis(retries + 1);
      LOG.debug("ingress entry {} not published ({}); retrying it in {} ms, the entries behind it wait", id,
          failure.getMessage(), delay);
      // An acknowledgement that fails is no reason to hold the retry: the batch's end tries again.
      return acknowledgeHandled(handled).transform(acked -> pause(delay))
          .compose(waited -> lease.held() ? reads.redeliver(id) : Future.failedFuture(NOT_READER))
          // No longer pending: acknowledged meanwhile (by hand), so done.
          .compose(again -> again == null ? Future.succeededFuture() : deliver(id, again, retries + 1, handled));
    });
  }

  private Future<Void> pause(long millis) {
    pauseWait = Promise.promise();
    Promise<Void> waiting = pauseWait;
    pauseTimer = vertx.setTimer(millis, timer -> waiting.tryComplete());
    return waiting.future();
  }

  /**
   * Publishes, or parks the entry when it can never be published; fails with the publish's
   * {@link ContractException} when it may pass on a later delivery.
   */
  private Future<Void> publish(String id, Response fields) {
    String text = StreamFields.value(fields, RedisStreams.INGRESS_FIELD);
    JsonObject draft;
    try {
      draft = new JsonObject(text == null ? "" : text);
    } catch (DecodeException e) {
      return park(id, fields, "draft is not a JSON object");
    }
    if (draft.getValue("idempotency_key") == null) {
      draft.put("idempotency_key", "ingress:" + id);
    }
    return publisher.publish(draft).<Void>mapEmpty().recover(failure -> {
      ContractException error = (ContractException) failure;
      if (!error.code().retryable()) {
        return park(id, fields, error.getMessage());
      }
      return deliveries(id).compose(deliveries -> deliveries < maxDeliveries ? Future.failedFuture(error)
          : deadLetters.park(id, fields, error.getMessage(), deliveries));
    });
  }

  private Future<Void> park(String id, Response fields, String reason) {
    return deliveries(id).compose(deliveries -> deadLetters.park(id, fields, reason, deliveries));
  }

  /** How often the group has delivered {@code id}, counting this delivery ({@code XPENDING}'s count). */
  private Future<Long> deliveries(String id) {
    return commands.send(Request.cmd(Command.XPENDING).arg(RedisStreams.INGRESS).arg(GROUP).arg(id).arg(id).arg(1))
        .map(pending -> pending == null || pending.size() == 0 ? 1L : pending.get(0).get(3).toLong());
  }

  private Future<Void> acknowledge(List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    Request ack = Request.cmd(Command.XACK).arg(RedisStreams.INGRESS).arg(GROUP);
    ids.forEach(ack::arg);
    return commands.send(ack).mapEmpty();
  }
}

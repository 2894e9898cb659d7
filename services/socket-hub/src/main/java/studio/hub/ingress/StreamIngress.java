package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.RedisStreams;
import studio.contract.error.ContractException;
import studio.hub.metrics.HubMetrics;

/**
 * Drafts from workers that only have Redis: {@code XADD studio:rt:ingress * draft <json>}. Hub
 * replicas share one consumer group; an entry is acknowledged only once published, or once parked
 * in {@link RedisStreams#INGRESS_DEAD_LETTERS} because it can never be published: at once when the
 * draft is refused (invalid, too large), or when its publish still fails after the group delivered
 * it {@code maxDeliveries} times (the count Redis keeps, so it holds across replicas and restarts).
 * Entries a crashed replica left pending are claimed by another once idle for {@code claimIdle}.
 * An entry without its own idempotency key gets its stream id as one, so redelivery never
 * publishes twice. On every claim round the stream is trimmed below what is still owed, and the
 * consumer names of replicas that are gone are forgotten ({@link IngressTrim}).
 */
public final class StreamIngress {
  public static final String GROUP = "studio-hub";
  private static final Logger LOG = LoggerFactory.getLogger(StreamIngress.class);
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final Redis commands;
  private final Supplier<Future<RedisConnection>> connector;
  private final PublishService publisher;
  private final long claimIdleMillis;
  private final int maxDeliveries;
  private final DeadLetters deadLetters;
  private final IngressTrim trim;
  private final String consumer = "hub-" + UUID.randomUUID();
  private RedisConnection reader;
  private boolean stopped;
  private int failures;
  private long claimTimer;

  public StreamIngress(Vertx vertx, Redis commands, Supplier<Future<RedisConnection>> connector,
                       PublishService publisher, java.time.Duration claimIdle, int maxDeliveries, HubMetrics metrics) {
    this.claimIdleMillis = claimIdle.toMillis();
    this.maxDeliveries = maxDeliveries;
    this.vertx = vertx;
    this.commands = commands;
    this.connector = connector;
    this.publisher = publisher;
    this.deadLetters = new DeadLetters(commands, metrics);
    this.trim = new IngressTrim(commands);
  }

  /** Creates the group if needed and starts reading; completes once the group exists. */
  public Future<Void> start() {
    return createGroup()
        .onSuccess(created -> {
          claimTimer = vertx.setPeriodic(Math.max(100, claimIdleMillis / 2), timer -> claimStale());
          readLoop();
        });
  }

  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(claimTimer);
    return reader == null ? Future.succeededFuture() : reader.close();
  }

  /** From the stream's start, so entries added while the group was missing (Redis lost its data) are read too. */
  private Future<Void> createGroup() {
    return commands.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(RedisStreams.INGRESS).arg(GROUP).arg("0")
            .arg("MKSTREAM"))
        .recover(failure -> failure.getMessage() != null && failure.getMessage().startsWith("BUSYGROUP")
            ? Future.succeededFuture() : Future.failedFuture(failure))
        .mapEmpty();
  }

  private void readLoop() {
    if (stopped) {
      return;
    }
    Future<RedisConnection> connection = reader != null ? Future.succeededFuture(reader)
        : connector.get().onSuccess(opened -> reader = opened);
    connection
        .compose(conn -> conn.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer)
            .arg("COUNT").arg(BATCH).arg("BLOCK").arg(1000).arg("STREAMS").arg(RedisStreams.INGRESS).arg(">")))
        .compose(this::processReadReply)
        .onSuccess(done -> {
          failures = 0;
          readLoop();
        })
        .onFailure(failure -> {
          if (stopped) {
            return;
          }
          if (reader != null) {
            reader.close();
            reader = null;
          }
          long delay = Math.min(5_000, 100L << Math.min(failures++, 6));
          // A single dropped read is routine (shutdown, failover); a run of them is an outage.
          if (failures >= 3) {
            LOG.warn("ingress stream read failed {} times ({}); retrying in {} ms", failures, failure.getMessage(), delay);
          } else {
            LOG.debug("ingress stream read failed ({}); retrying in {} ms", failure.getMessage(), delay);
          }
          Future<Void> ready = isMissingGroup(failure) ? createGroup() : Future.succeededFuture();
          ready.onComplete(created -> vertx.setTimer(delay, timer -> readLoop()));
        });
  }

  /** Redis lost its data (or an operator removed the group): recreate it, or no replica reads again. */
  private static boolean isMissingGroup(Throwable failure) {
    return failure.getMessage() != null && failure.getMessage().startsWith("NOGROUP");
  }

  private Future<Void> processReadReply(Response reply) {
    if (reply == null || reply.size() == 0) {
      return Future.succeededFuture();
    }
    // RESP3 answers a map {stream: entries}; RESP2 an array [[stream, entries]].
    Response entries = reply.containsKey(RedisStreams.INGRESS) ? reply.get(RedisStreams.INGRESS) : reply.get(0).get(1);
    return processEntries(entries);
  }

  private void claimStale() {
    commands.send(Request.cmd(Command.XAUTOCLAIM).arg(RedisStreams.INGRESS).arg(GROUP).arg(consumer)
            .arg(claimIdleMillis).arg("0-0").arg("COUNT").arg(BATCH))
        .compose(reply -> {
          if (reply == null || reply.size() < 2 || reply.get(1).size() == 0) {
            return Future.succeededFuture();
          }
          LOG.info("claimed {} ingress entries left pending by another replica or a failed publish", reply.get(1).size());
          return processEntries(reply.get(1));
        })
        .onFailure(failure -> LOG.warn("claiming stale ingress entries failed: {}", failure.getMessage()))
        .transform(claimed -> trim.trim())
        // Far longer than a live replica's pause between reads (BLOCK 1000 ms, or its reconnect backoff).
        .transform(trimmed -> trim.forgetGoneConsumers(GROUP, Math.max(3 * claimIdleMillis, 10_000)))
        .onFailure(failure -> LOG.debug("trimming the ingress stream failed: {}", failure.getMessage()));
  }

  /**
   * In stream order, one after another, so a worker's events keep their order: a publish that fails
   * but may work later stops the batch, and it and the entries behind it are claimed again later.
   */
  private Future<Void> processEntries(Response entries) {
    Future<Void> chain = Future.succeededFuture();
    List<String> handled = new ArrayList<>();
    for (Response entry : entries) {
      if (entry == null || entry.size() < 2 || entry.get(1) == null) {
        continue;
      }
      String id = entry.get(0).toString();
      Response fields = entry.get(1);
      chain = chain.compose(previous -> publish(id, fields)).onSuccess(done -> handled.add(id));
    }
    return chain.eventually(() -> acknowledge(handled));
  }

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

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

/**
 * Drafts from workers that only have Redis: {@code XADD studio:rt:ingress * draft <json>}. Hub
 * replicas share one consumer group; an entry is acknowledged only once published (or found
 * invalid, then moved to {@code studio:rt:ingress:dead} with the reason), and entries a crashed
 * replica left pending are claimed by another once idle for {@code claimIdle}. An entry without its
 * own idempotency key gets its stream id as one, so redelivery never publishes twice.
 */
public final class StreamIngress {
  public static final String GROUP = "studio-hub";
  public static final String DEAD_LETTERS = RedisStreams.INGRESS + ":dead";
  private static final Logger LOG = LoggerFactory.getLogger(StreamIngress.class);
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final Redis commands;
  private final Supplier<Future<RedisConnection>> connector;
  private final PublishService publisher;
  private final long claimIdleMillis;
  private final String consumer = "hub-" + UUID.randomUUID();
  private RedisConnection reader;
  private boolean stopped;
  private int failures;
  private long claimTimer;

  public StreamIngress(Vertx vertx, Redis commands, Supplier<Future<RedisConnection>> connector,
                       PublishService publisher, java.time.Duration claimIdle) {
    this.claimIdleMillis = claimIdle.toMillis();
    this.vertx = vertx;
    this.commands = commands;
    this.connector = connector;
    this.publisher = publisher;
  }

  /** Creates the group if needed and starts reading; completes once the group exists. */
  public Future<Void> start() {
    return commands.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(RedisStreams.INGRESS).arg(GROUP).arg("0")
            .arg("MKSTREAM"))
        .recover(failure -> failure.getMessage() != null && failure.getMessage().startsWith("BUSYGROUP")
            ? Future.succeededFuture() : Future.failedFuture(failure))
        .onSuccess(created -> {
          claimTimer = vertx.setPeriodic(Math.max(100, claimIdleMillis / 2), timer -> claimStale());
          readLoop();
        })
        .mapEmpty();
  }

  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(claimTimer);
    return reader == null ? Future.succeededFuture() : reader.close();
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
          vertx.setTimer(delay, timer -> readLoop());
        });
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
          LOG.info("claimed {} ingress entries left pending by another replica", reply.get(1).size());
          return processEntries(reply.get(1));
        })
        .onFailure(failure -> LOG.warn("claiming stale ingress entries failed: {}", failure.getMessage()));
  }

  /** In stream order, one after another, so a worker's events keep their order. */
  private Future<Void> processEntries(Response entries) {
    Future<Void> chain = Future.succeededFuture();
    List<String> handled = new ArrayList<>();
    for (Response entry : entries) {
      if (entry == null || entry.size() < 2 || entry.get(1) == null) {
        continue;
      }
      String id = entry.get(0).toString();
      String draft = field(entry.get(1), RedisStreams.INGRESS_FIELD);
      chain = chain.compose(previous -> publish(id, draft)).onSuccess(done -> handled.add(id));
    }
    return chain.eventually(() -> acknowledge(handled));
  }

  private Future<Void> publish(String id, String text) {
    JsonObject draft;
    try {
      draft = new JsonObject(text == null ? "" : text);
    } catch (DecodeException e) {
      return deadLetter(id, text, "draft is not a JSON object");
    }
    if (draft.getValue("idempotency_key") == null) {
      draft.put("idempotency_key", "ingress:" + id);
    }
    return publisher.publish(draft).<Void>mapEmpty().recover(failure -> {
      ContractException error = (ContractException) failure;
      return error.code().retryable() ? Future.failedFuture(error) : deadLetter(id, text, error.getMessage());
    });
  }

  private Future<Void> deadLetter(String id, String draft, String reason) {
    LOG.warn("ingress entry {} refused: {}", id, reason);
    return commands.send(Request.cmd(Command.XADD).arg(DEAD_LETTERS).arg("MAXLEN").arg("~").arg(10_000).arg("*")
            .arg("entry").arg(id).arg("reason").arg(reason).arg(RedisStreams.INGRESS_FIELD).arg(draft == null ? "" : draft))
        .mapEmpty();
  }

  private Future<Void> acknowledge(List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    Request ack = Request.cmd(Command.XACK).arg(RedisStreams.INGRESS).arg(GROUP);
    ids.forEach(ack::arg);
    return commands.send(ack).mapEmpty();
  }

  private static String field(Response fields, String name) {
    if (fields.containsKey(name)) {
      return fields.get(name).toString();
    }
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if (name.equals(fields.get(i).toString())) {
        return fields.get(i + 1).toString();
      }
    }
    return null;
  }

}

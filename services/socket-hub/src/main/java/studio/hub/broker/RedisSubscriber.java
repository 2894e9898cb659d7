package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.room.RoomKey;

/**
 * One dedicated pub/sub connection per hub instance, subscribed to exactly the rooms that have
 * local subscribers. When the link drops it reconnects with capped, jittered exponential backoff,
 * resubscribes every room and tells the listener, which then catches up from history, so a lost
 * link delays events but never loses them.
 */
final class RedisSubscriber {
  /** Opens a fresh (non-pooled) connection; pub/sub mode makes it unusable for anything else. */
  public interface Connector {
    Future<RedisConnection> connect();
  }

  private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriber.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final Connector connector;
  private final Set<RoomKey> rooms = new HashSet<>();
  private final Map<String, Promise<Void>> pendingConfirmations = new HashMap<>();
  private BrokerListener listener;
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private int failedAttempts;
  private boolean closed;

  RedisSubscriber(Vertx vertx, Connector connector) {
    this.vertx = vertx;
    this.connector = connector;
  }

  void listener(BrokerListener listener) {
    this.listener = listener;
  }

  Future<Void> subscribe(RoomKey room) {
    rooms.add(room);
    return connection().compose(conn -> confirm(conn, Command.SUBSCRIBE, List.of(RedisKeys.channel(room))));
  }

  Future<Void> unsubscribe(RoomKey room) {
    rooms.remove(room);
    if (connection == null) {
      return Future.succeededFuture();
    }
    return connection.send(Request.cmd(Command.UNSUBSCRIBE).arg(RedisKeys.channel(room))).mapEmpty();
  }

  Future<Void> close() {
    closed = true;
    rooms.clear();
    RedisConnection current = connection;
    connection = null;
    return current == null ? Future.succeededFuture() : current.close();
  }

  void dropConnection() {
    if (connection != null) {
      connection.close();
    }
  }

  private Future<RedisConnection> connection() {
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    if (connecting == null) {
      connecting = connector.connect()
          .onSuccess(this::attach)
          .onComplete(done -> connecting = null);
    }
    return connecting;
  }

  private void attach(RedisConnection conn) {
    connection = conn;
    failedAttempts = 0;
    conn.handler(this::onPush);
    conn.exceptionHandler(failure -> lost(conn, failure.getMessage()));
    conn.endHandler(ended -> lost(conn, "connection closed"));
  }

  private void onPush(Response push) {
    if (push.size() < 3) {
      return;
    }
    String kind = push.get(0).toString();
    String channel = push.get(1).toString();
    if ("message".equals(kind)) {
      onMessage(channel, push.get(2).toString());
    } else if ("subscribe".equals(kind)) {
      Promise<Void> pending = pendingConfirmations.remove(channel);
      if (pending != null) {
        pending.complete();
      }
    }
  }

  private void onMessage(String channel, String frame) {
    RoomKey room = RedisKeys.roomOfChannel(channel);
    if (room == null || listener == null) {
      return;
    }
    FrameHeader header = FrameHeader.parse(frame);
    if (header == null) {
      LOG.warn("dropping unreadable frame on {}", channel);
      return;
    }
    listener.onFrame(new RoomFrame(room, header.offset(), header.epoch(), frame));
  }

  /** Sends a (UN)SUBSCRIBE and completes when Redis confirms the last channel. */
  private Future<Void> confirm(RedisConnection conn, Command command, List<String> channels) {
    if (channels.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> confirmed = Promise.promise();
    pendingConfirmations.put(channels.get(channels.size() - 1), confirmed);
    Request request = Request.cmd(command);
    channels.forEach(request::arg);
    conn.send(request).onFailure(confirmed::tryFail);
    return confirmed.future();
  }

  private void lost(RedisConnection conn, String reason) {
    if (conn != connection) {
      return;
    }
    connection = null;
    pendingConfirmations.values().forEach(pending -> pending.tryFail("redis subscription lost: " + reason));
    pendingConfirmations.clear();
    if (closed) {
      return;
    }
    LOG.warn("redis subscription link lost ({}); reconnecting and resubscribing {} rooms", reason, rooms.size());
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    long backoff = Math.min(MAX_BACKOFF_MS, 100L << Math.min(failedAttempts, 6));
    long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    failedAttempts++;
    vertx.setTimer(delay, timer -> {
      if (closed) {
        return;
      }
      connection()
          .compose(conn -> confirm(conn, Command.SUBSCRIBE, rooms.stream().map(RedisKeys::channel).toList()))
          .onSuccess(resubscribed -> {
            LOG.info("redis subscription link restored; catching up {} rooms from history", rooms.size());
            if (listener != null) {
              listener.onResubscribed();
            }
          })
          .onFailure(failure -> {
            LOG.warn("redis reconnect attempt {} failed: {}", failedAttempts, failure.getMessage());
            if (connection == null) {
              scheduleReconnect();
            }
          });
    });
  }
}

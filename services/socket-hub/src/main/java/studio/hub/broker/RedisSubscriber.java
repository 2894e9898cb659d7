package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.room.RoomKey;
import studio.runtime.retry.Backoff;

/**
 * One dedicated pub/sub connection, subscribed to exactly the rooms that have local subscribers:
 * one per hub replica, which its instances share ({@link SharedSubscriber}), or one per shard of a
 * Cluster ({@link ShardedSubscriber}). When the link drops it reconnects with capped, jittered exponential backoff,
 * resubscribes every room and tells the listener, which then catches up from history, so a lost
 * link delays events but never loses them.
 */
final class RedisSubscriber implements RoomSubscriber {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriber.class);
  private static final Duration CONFIRMATION_TIMEOUT = Duration.ofSeconds(10);
  /** Classic pub/sub (one Redis) or sharded pub/sub (Redis 7, one subscriber per Cluster shard). */
  enum Mode {
    CLASSIC(Command.SUBSCRIBE, Command.UNSUBSCRIBE, "subscribe", "unsubscribe", "message"),
    SHARDED(Command.SSUBSCRIBE, Command.SUNSUBSCRIBE, "ssubscribe", "sunsubscribe", "smessage");

    final Command subscribeCommand;
    final Command unsubscribeCommand;
    final String subscribed;
    final String unsubscribed;
    final String message;

    Mode(Command subscribeCommand, Command unsubscribeCommand, String subscribed, String unsubscribed, String message) {
      this.subscribeCommand = subscribeCommand;
      this.unsubscribeCommand = unsubscribeCommand;
      this.subscribed = subscribed;
      this.unsubscribed = unsubscribed;
      this.message = message;
    }
  }

  private final Vertx vertx;
  private final Mode mode;
  /** Opens a fresh (non-pooled) connection; pub/sub mode makes it unusable for anything else. */
  private final Supplier<Future<RedisConnection>> connector;
  private final Set<RoomKey> rooms = new HashSet<>();
  private final Map<String, Promise<Void>> pendingConfirmations = new HashMap<>();
  private Future<Void> pendingCommands = Future.succeededFuture();
  private BrokerListener listener;
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  /** 100 ms doubling to 5 s, each drawn from its upper half: replicas that lost Redis together do not return together. */
  private final Backoff reconnects = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)).withJitter(0.5);
  private boolean closed;
  /** How long a (UN)SUBSCRIBE waits for its pushed confirmation before the link counts as broken. */
  private final Duration confirmationTimeout;
  /** Closes what this subscriber owns beyond its connection (its client, when it was given one). */
  private final Supplier<Future<Void>> release;

  /** Classic pub/sub on a client of its own, closed with it. */
  RedisSubscriber(Vertx vertx, Redis client) {
    this(vertx, client::connect, Mode.CLASSIC, CONFIRMATION_TIMEOUT, client::close);
  }

  RedisSubscriber(Vertx vertx, Supplier<Future<RedisConnection>> connector) {
    this(vertx, connector, Mode.CLASSIC);
  }

  RedisSubscriber(Vertx vertx, Supplier<Future<RedisConnection>> connector, Mode mode) {
    this(vertx, connector, mode, CONFIRMATION_TIMEOUT);
  }

  RedisSubscriber(Vertx vertx, Supplier<Future<RedisConnection>> connector, Mode mode, Duration confirmationTimeout) {
    this(vertx, connector, mode, confirmationTimeout, Future::succeededFuture);
  }

  private RedisSubscriber(Vertx vertx, Supplier<Future<RedisConnection>> connector, Mode mode,
      Duration confirmationTimeout, Supplier<Future<Void>> release) {
    this.vertx = vertx;
    this.mode = mode;
    this.connector = connector;
    this.confirmationTimeout = confirmationTimeout;
    this.release = release;
  }

  @Override
  public void listener(BrokerListener listener) {
    this.listener = listener;
  }

  @Override
  public Future<Void> subscribe(RoomKey room) {
    rooms.add(room);
    return serialized(() -> connection()
        .compose(conn -> confirm(conn, mode.subscribed, List.of(RedisKeys.channel(room)))));
  }

  @Override
  public Future<Void> unsubscribe(RoomKey room) {
    rooms.remove(room);
    return serialized(() -> connection == null || rooms.contains(room) ? Future.succeededFuture()
        : confirm(connection, mode.unsubscribed, List.of(RedisKeys.channel(room))));
  }

  /**
   * One (un)subscribe in flight at a time: Redis answers them with push messages, and only with a
   * single outstanding command is it certain which one a confirmation belongs to.
   */
  private Future<Void> serialized(Supplier<Future<Void>> command) {
    Future<Void> next = pendingCommands.transform(previous -> command.get());
    pendingCommands = next.otherwiseEmpty();
    return next;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    rooms.clear();
    RedisConnection current = connection;
    connection = null;
    return (current == null ? Future.<Void>succeededFuture() : current.close()).eventually(release::get);
  }

  @Override
  public void dropConnection() {
    if (connection != null) {
      connection.close();
    }
  }

  private Future<RedisConnection> connection() {
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    if (connecting == null) {
      connecting = connector.get()
          .onSuccess(this::attach)
          .onComplete(done -> connecting = null);
    }
    return connecting;
  }

  private void attach(RedisConnection conn) {
    connection = conn;
    reconnects.reset();
    conn.handler(this::onPush);
    conn.exceptionHandler(failure -> lost(conn, failure.getMessage()));
    conn.endHandler(ended -> lost(conn, "connection closed"));
  }

  private void onPush(Response push) {
    // Anything that is not a [kind, channel, payload] array (a bare reply) carries nothing for us.
    if (push == null || (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) || push.size() < 3) {
      return;
    }
    String kind = push.get(0).toString();
    String channel = push.get(1).toString();
    if (mode.message.equals(kind)) {
      onMessage(channel, push.get(2).toString());
    } else if (mode.subscribed.equals(kind) || mode.unsubscribed.equals(kind)) {
      Promise<Void> pending = pendingConfirmations.remove(kind + " " + channel);
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

  /** Sends a (UN)SUBSCRIBE and completes when Redis pushes the confirmation for the last channel. */
  private Future<Void> confirm(RedisConnection conn, String kind, List<String> channels) {
    if (channels.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> confirmed = Promise.promise();
    String key = kind + " " + channels.get(channels.size() - 1);
    pendingConfirmations.put(key, confirmed);
    Request request = Request.cmd(mode.subscribed.equals(kind) ? mode.subscribeCommand : mode.unsubscribeCommand);
    channels.forEach(request::arg);
    // The command's own reply completes at once (the client routes pub/sub replies to the push
    // handler), so only the pushed confirmation proves the subscription is active.
    conn.send(request).onFailure(confirmed::tryFail);
    return confirmed.future().timeout(confirmationTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Every room again: classic channels in one SUBSCRIBE; shard channels one SSUBSCRIBE per hash slot,
   * since Redis refuses (CROSSSLOT) an SSUBSCRIBE naming channels of several slots.
   */
  private Future<Void> resubscribe(RedisConnection conn) {
    List<String> channels = rooms.stream().map(RedisKeys::channel).toList();
    if (mode == Mode.CLASSIC) {
      return confirm(conn, mode.subscribed, channels);
    }
    Future<Void> done = Future.succeededFuture();
    for (List<String> slot : channels.stream().collect(Collectors.groupingBy(HashSlot::of)).values()) {
      done = done.compose(previous -> confirm(conn, mode.subscribed, slot));
    }
    return done;
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
    vertx.setTimer(reconnects.nextMillis(), timer -> {
      if (closed) {
        return;
      }
      connection()
          .compose(conn -> serialized(() -> resubscribe(conn)))
          .onSuccess(resubscribed -> {
            LOG.info("redis subscription link restored; catching up {} rooms from history", rooms.size());
            if (listener != null) {
              listener.onResubscribed();
            }
          })
          .onFailure(failure -> {
            LOG.warn("redis reconnect attempt {} failed: {}", reconnects.failures(), failure.getMessage());
            // Connected but not resubscribed (a Cluster node that no longer owns the shard's slots
            // never confirms the SSUBSCRIBE): this link is of no use, so drop it and try again.
            RedisConnection useless = connection;
            connection = null;
            if (useless != null) {
              useless.close();
            }
            scheduleReconnect();
          });
    });
  }
}

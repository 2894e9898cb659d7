package studio.hub.session;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import studio.contract.frame.ConnectionHealth;
import studio.contract.frame.Frames;
import studio.contract.error.CloseCode;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.hub.auth.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.hub.HubConfig;
import studio.hub.broker.RoomFrame;
import studio.hub.resume.ResumePoint;
import studio.hub.resume.RoomStart;

/**
 * One client connection speaking docs/protocol.md: authenticates, subscribes, unsubscribes, pings and
 * reports its health, receives its rooms' events in offset order, and is told what went wrong with a
 * stable code.
 * Runs on one event loop; all state is confined to it.
 */
public final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  private static final int MAX_BAD_FRAMES = 20;

  private final String id = UUID.randomUUID().toString();
  private final Instant connectedSince = Instant.now();
  private final FrameSink sink;
  private final SessionServices services;
  private final RateLimiter limiter;
  private final OutboundQueue backlog;
  private final Map<RoomKey, RoomSubscription> subscriptions = new HashMap<>();
  private Principal principal;
  private long authTimer = -1;
  private long expiryTimer = -1;
  private long lastInboundNanos = System.nanoTime();
  private int badFrames;
  private int rateViolations;
  private boolean closed;

  Session(FrameSink sink, SessionServices services) {
    this.sink = sink;
    this.services = services;
    this.limiter = new RateLimiter(services.settings().framesPerSecond());
    this.backlog = new OutboundQueue(services.settings().clientQueueMaxBytes());
    sink.drainHandler(this::flush);
  }

  String id() {
    return id;
  }

  String transport() {
    return sink.transport();
  }

  int subscriptionCount() {
    return subscriptions.size();
  }

  /** Greets the client, then authenticates with the URL token or waits for an {@code auth} frame. */
  void start(String urlToken) {
    write(Frames.connected(id, services.settings().pingInterval().toMillis()));
    if (urlToken != null) {
      authenticate(null, urlToken);
    } else {
      authTimer = services.vertx().setTimer(services.settings().authTimeout().toMillis(), timer -> {
        if (principal == null) {
          error(null, new ContractException(ErrorCode.UNAUTHENTICATED, "no auth frame within "
              + services.settings().authTimeout().toSeconds() + "s"));
          close(CloseCode.UNAUTHENTICATED);
        }
      });
    }
  }

  public void onText(String text) {
    lastInboundNanos = System.nanoTime();
    if (closed) {
      return;
    }
    if (!limiter.tryAcquire()) {
      refuseForRate();
      return;
    }
    ClientFrame frame;
    try {
      if (text.getBytes(StandardCharsets.UTF_8).length > services.settings().frameMaxBytes()) {
        throw new ContractException(ErrorCode.TOO_LARGE, "frame exceeds " + services.settings().frameMaxBytes() + " bytes");
      }
      frame = ClientFrame.parse(text);
    } catch (ContractException e) {
      badFrame(null, e);
      return;
    }
    dispatch(frame);
  }

  /** A frame the transport could not even read as text (binary WebSocket message). */
  public void onUnreadable() {
    lastInboundNanos = System.nanoTime();
    badFrame(null, new ContractException(ErrorCode.BAD_FRAME, "frames are JSON text, not binary"));
  }

  void onClosed() {
    closed = true;
    services.vertx().cancelTimer(authTimer);
    services.vertx().cancelTimer(expiryTimer);
    subscriptions.forEach((room, subscription) -> services.fanout().leave(room, subscription));
    subscriptions.clear();
  }

  boolean silentLongerThan(Duration limit) {
    return System.nanoTime() - lastInboundNanos > limit.toNanos();
  }

  void drain(Duration retryAfter) {
    write(Frames.draining(retryAfter.toMillis()));
  }

  void close(CloseCode code) {
    if (!closed) {
      sink.close(code);
      onClosed();
    }
  }

  private void dispatch(ClientFrame frame) {
    try {
      switch (frame.clientOp()) {
        case AUTH -> authenticate(frame.id(), frame.token());
        case SUBSCRIBE -> subscribe(frame);
        case UNSUBSCRIBE -> unsubscribe(frame);
        case PING -> write(Frames.pong(frame.id()));
        case HEALTH -> health(frame);
        default -> throw ClientFrame.unknownOp(frame.op());
      }
    } catch (ContractException e) {
      badFrame(frame.id(), e);
    }
  }

  private void authenticate(String requestId, String token) {
    services.verifier().verify(token).onSuccess(verified -> {
      principal = verified;
      services.vertx().cancelTimer(authTimer);
      services.vertx().cancelTimer(expiryTimer);
      long untilExpiry = Math.max(1, verified.expiresAt().toEpochMilli() - Instant.now().toEpochMilli());
      expiryTimer = services.vertx().setTimer(untilExpiry, timer -> {
        error(null, new ContractException(ErrorCode.UNAUTHENTICATED, "token expired"));
        close(CloseCode.TOKEN_EXPIRED);
      });
      if (requestId != null) {
        write(Frames.ack(requestId, new JsonObject()));
      }
    }).onFailure(failure -> {
      error(requestId, failure instanceof ContractException e ? e
          : new ContractException(ErrorCode.UNAUTHENTICATED, failure.getMessage()));
      close(CloseCode.UNAUTHENTICATED);
    });
  }

  private void subscribe(ClientFrame frame) {
    requireAuthenticated();
    List<RoomKey> rooms = frame.rooms();
    Map<RoomKey, ResumePoint> since = frame.since();
    for (RoomKey room : rooms) {
      if (!principal.grant().allows(room)) {
        throw new ContractException(ErrorCode.FORBIDDEN_ROOM, "token does not grant " + room);
      }
    }
    long added = rooms.stream().filter(room -> !subscriptions.containsKey(room)).count();
    if (subscriptions.size() + added > services.settings().roomsMax()) {
      throw new ContractException(ErrorCode.LIMIT_EXCEEDED, Frames.ROOMS, "at most " + services.settings().roomsMax()
          + " rooms per connection (" + HubConfig.ROOMS_MAX + "); this connection holds " + subscriptions.size()
          + ", unsubscribe from some first");
    }
    List<Future<Subscribed>> starts = rooms.stream().map(room -> start(room, since.get(room))).toList();
    // join, not all: wait for every room, so none is left unreleased when another fails.
    Future.join(starts).onComplete(done -> {
      JsonObject ack = new JsonObject();
      starts.stream().filter(Future::succeeded).map(Future::result)
          .forEach(subscribed -> ack.put(subscribed.start().room().toString(), subscribed.start().toJson()));
      if (done.failed()) {
        LOG.warn("session {}: subscribe failed: {}", id, done.cause().getMessage());
        error(frame.id(), new ContractException(ErrorCode.UNAVAILABLE,
            "could not subscribe to every room: the realtime store is unavailable, retry"));
      }
      write(Frames.ack(frame.id(), ack));
      starts.stream().filter(Future::succeeded).map(Future::result).forEach(Subscribed::release);
    });
  }

  /**
   * A room's subscription and where its delivery starts; only the subscribe that created it
   * releases it (a repeated subscribe to a room already held acks its position and changes nothing).
   */
  private record Subscribed(RoomSubscription subscription, RoomStart start, boolean created) {
    void release() {
      if (created) {
        subscription.release(start.offset(), start.epoch(), start.replay());
      }
    }
  }

  /**
   * Joins the room's fan-out, then asks the one resume rule where delivery starts. The subscription
   * is registered before anything is awaited, so a close at any moment releases it.
   */
  private Future<Subscribed> start(RoomKey room, ResumePoint since) {
    RoomSubscription existing = subscriptions.get(room);
    if (existing != null) {
      return Future.succeededFuture(new Subscribed(existing,
          new RoomStart(room, existing.lastOffset(), existing.epoch(), null, List.of()), false));
    }
    RoomSubscription subscription = new RoomSubscription(this::send);
    subscriptions.put(room, subscription);
    return services.fanout().join(room, subscription)
        .compose(joined -> services.resumption().start(room, joined, since))
        .map(start -> new Subscribed(subscription, start, true))
        .onFailure(failure -> {
          subscriptions.remove(room, subscription);
          services.fanout().leave(room, subscription);
        });
  }

  private void unsubscribe(ClientFrame frame) {
    requireAuthenticated();
    JsonObject ack = new JsonObject();
    for (RoomKey room : frame.rooms()) {
      RoomSubscription subscription = subscriptions.remove(room);
      if (subscription != null) {
        services.fanout().leave(room, subscription);
      }
      ack.put(room.toString(), Frames.unsubscribed());
    }
    write(Frames.ack(frame.id(), ack));
  }

  /** Server time and this connection's facts, for a page or client-side monitoring; no I/O, answered at once. */
  private void health(ClientFrame frame) {
    requireAuthenticated();
    write(Frames.healthAck(frame.id(), new ConnectionHealth(Instant.now(), services.nodeId(), id, sink.transport(),
        subscriptions.size(), backlog.bytes(), services.settings().clientQueueMaxBytes(), connectedSince,
        principal.expiresAt())));
  }

  private void requireAuthenticated() {
    if (principal == null) {
      throw new ContractException(ErrorCode.UNAUTHENTICATED, "authenticate first (token in the URL or an auth frame)");
    }
  }

  /**
   * Writes at once while the client keeps up; otherwise queues (conflating progress events) and
   * disconnects the client only when its bounded backlog overflows.
   */
  private void send(RoomFrame frame) {
    if (!closed && !writeNow(frame.frame(), true) && !backlog.offer(frame, sink.heldBytes())) {
      overflowed();
    }
  }

  /** Replies take the same road as events, in order with them and counted against the same bound. */
  private void write(JsonObject reply) {
    if (closed) {
      return;
    }
    String frame = reply.encode();
    if (!writeNow(frame, false) && !backlog.offerReply(frame, sink.heldBytes())) {
      overflowed();
    }
  }

  /** True when nothing is queued ahead and the transport takes the frame now. */
  private boolean writeNow(String frame, boolean event) {
    if (!backlog.isEmpty() || sink.writeQueueFull()) {
      return false;
    }
    sink.write(frame);
    if (event) {
      services.metrics().delivered();
    }
    return true;
  }

  private void overflowed() {
    services.metrics().slowConsumerClosed();
    close(CloseCode.SLOW_CONSUMER);
  }

  private void flush() {
    while (!closed && !backlog.isEmpty() && !sink.writeQueueFull()) {
      OutboundQueue.Outgoing next = backlog.poll();
      sink.write(next.frame());
      if (next.event()) {
        services.metrics().delivered();
      }
    }
  }

  private void badFrame(String requestId, ContractException e) {
    error(requestId, e);
    if (++badFrames >= MAX_BAD_FRAMES) {
      close(CloseCode.TOO_MANY_BAD_FRAMES);
    }
  }

  private void refuseForRate() {
    error(null, new ContractException(ErrorCode.RATE_LIMITED, "more than " + services.settings().framesPerSecond()
        + " frames per second"));
    if (++rateViolations >= services.settings().framesPerSecond() * 3) {
      close(CloseCode.RATE_LIMITED);
    }
  }

  private void error(String requestId, ContractException e) {
    write(Frames.error(requestId, e.code(), e.getMessage()));
  }

}

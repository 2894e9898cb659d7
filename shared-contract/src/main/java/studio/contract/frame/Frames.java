package studio.contract.frame;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import studio.contract.envelope.Envelope;
import studio.contract.error.ErrorCode;

/**
 * Every realtime frame's shape, once (docs/protocol.md "Frames"): its field names and a builder per
 * frame. The hub, the long-poll answer and the test clients build frames here, so a field is spelled
 * in one place. Field order is part of the wire: {@code op} first, then {@code id}, as listed.
 */
public final class Frames {
  public static final String OP = "op";
  public static final String ID = "id";
  public static final String TOKEN = "token";
  public static final String ROOMS = "rooms";
  public static final String SINCE = "since";
  public static final String SESSION_ID = "session_id";
  public static final String CONTRACT_VERSION = "contract_version";
  public static final String PING_INTERVAL_MS = "ping_interval_ms";
  public static final String ROOM = "room";
  public static final String OFFSET = "offset";
  public static final String EPOCH = "epoch";
  public static final String EVENT = "event";
  public static final String CONFLATED = "conflated";
  public static final String RECOVERED = "recovered";
  public static final String SUBSCRIBED = "subscribed";
  public static final String CODE = "code";
  public static final String MESSAGE = "message";
  public static final String RETRY_AFTER_MS = "retry_after_ms";
  public static final String HEALTH = "health";
  /** The long-poll answer's list of event frames. */
  public static final String EVENTS = "events";

  private Frames() {
  }

  // Server -> client

  public static JsonObject connected(String sessionId, long pingIntervalMs) {
    return op(FrameOp.CONNECTED).put(SESSION_ID, sessionId).put(CONTRACT_VERSION, Envelope.CONTRACT_VERSION)
        .put(PING_INTERVAL_MS, pingIntervalMs);
  }

  /** The answer to {@code auth} (empty {@code rooms}), {@code subscribe} and {@code unsubscribe}. */
  public static JsonObject ack(String id, JsonObject rooms) {
    return op(FrameOp.ACK).put(ID, id).put(ROOMS, rooms);
  }

  /** The answer to {@code health}. */
  public static JsonObject healthAck(String id, ConnectionHealth health) {
    return op(FrameOp.ACK).put(ID, id).put(HEALTH, health.toJson());
  }

  public static JsonObject pong(String id) {
    return op(FrameOp.PONG).put(ID, id);
  }

  public static JsonObject error(String id, ErrorCode code, String message) {
    return op(FrameOp.ERROR).put(ID, id).put(CODE, code.wire()).put(MESSAGE, message);
  }

  public static JsonObject draining(long retryAfterMs) {
    return op(FrameOp.DRAINING).put(RETRY_AFTER_MS, retryAfterMs);
  }

  /**
   * The {@code event} frame of one room, around an envelope already encoded: byte for byte what the
   * hub's Redis publish script ({@code publish.lua}) builds, so frames read from Redis and frames
   * built here are interchangeable. Room keys and epochs need no JSON escaping (their grammar has no
   * quote, backslash or control character); the envelope is JSON already.
   */
  public static String event(String room, long offset, String epoch, String envelopeJson) {
    return "{\"" + OP + "\":\"" + FrameOp.EVENT.wire() + "\",\"" + ROOM + "\":\"" + room + "\",\"" + OFFSET + "\":"
        + offset + ",\"" + EPOCH + "\":\"" + epoch + "\",\"" + EVENT + "\":" + envelopeJson + "}";
  }

  /** An encoded {@code event} frame marked as having superseded {@code superseded} older ones (conflation). */
  public static String conflated(String eventFrame, int superseded) {
    return "{\"" + CONFLATED + "\":" + superseded + "," + eventFrame.substring(1);
  }

  /** A room's entry in a {@code subscribe} ack or a long-poll answer; {@code recovered} only when the client resumed. */
  public static JsonObject roomPosition(long offset, String epoch, Boolean recovered) {
    JsonObject json = new JsonObject().put(OFFSET, offset).put(EPOCH, epoch);
    return recovered == null ? json : json.put(RECOVERED, recovered);
  }

  /** A room's entry in an {@code unsubscribe} ack. */
  public static JsonObject unsubscribed() {
    return new JsonObject().put(SUBSCRIBED, false);
  }

  /** The long-poll answer: each room's position and the event frames, in order. */
  public static JsonObject pollAnswer(JsonObject rooms, JsonArray events) {
    return new JsonObject().put(ROOMS, rooms).put(EVENTS, events);
  }

  // Client -> server (without id: the sender numbers its requests)

  public static JsonObject auth(String token) {
    return op(FrameOp.AUTH).put(TOKEN, token);
  }

  public static JsonObject subscribe(List<String> rooms) {
    return op(FrameOp.SUBSCRIBE).put(ROOMS, new JsonArray(List.copyOf(rooms)));
  }

  /** {@code since}: room -> {@code {"offset": n, "epoch": "e"}}, see {@link #resumePoint}. */
  public static JsonObject subscribe(List<String> rooms, JsonObject since) {
    return subscribe(rooms).put(SINCE, since);
  }

  public static JsonObject resumePoint(long offset, String epoch) {
    return new JsonObject().put(OFFSET, offset).put(EPOCH, epoch);
  }

  public static JsonObject unsubscribe(List<String> rooms) {
    return op(FrameOp.UNSUBSCRIBE).put(ROOMS, new JsonArray(List.copyOf(rooms)));
  }

  public static JsonObject ping() {
    return op(FrameOp.PING);
  }

  public static JsonObject health() {
    return op(FrameOp.HEALTH);
  }

  /** The op of a decoded frame, or null when it has none or an unknown one. */
  public static FrameOp opOf(JsonObject frame) {
    return frame.getValue(OP) instanceof String name ? FrameOp.fromWire(name).orElse(null) : null;
  }

  private static JsonObject op(FrameOp op) {
    return new JsonObject().put(OP, op.wire());
  }
}

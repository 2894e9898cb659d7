package studio.contract.frame;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import studio.contract.envelope.Envelope;

/**
 * What the hub tells a client about its own connection in answer to {@code health}: the server's
 * clock (so a page can measure its skew and the round trip), which hub node and transport serve it,
 * and how loaded the connection is. {@code queuedBytes} counts the frames the hub holds for this
 * client because it reads slower than they come (0 for a client that keeps up); at
 * {@code queueMaxBytes} the hub disconnects it (close 4001).
 */
public record ConnectionHealth(Instant serverTime, String nodeId, String sessionId, String transport,
                               int roomsSubscribed, long queuedBytes, long queueMaxBytes, Instant connectedSince,
                               Instant tokenExpiresAt) {
  public static final String SERVER_TIME = "server_time";
  public static final String SERVER_TIME_MS = "server_time_ms";
  public static final String NODE_ID = "node_id";
  public static final String TRANSPORT = "transport";
  public static final String ROOMS_SUBSCRIBED = "rooms_subscribed";
  public static final String QUEUED_BYTES = "queued_bytes";
  public static final String QUEUE_MAX_BYTES = "queue_max_bytes";
  public static final String CONNECTED_SINCE = "connected_since";
  public static final String TOKEN_EXPIRES_AT = "token_expires_at";

  public JsonObject toJson() {
    Instant now = serverTime.truncatedTo(ChronoUnit.MILLIS);
    return new JsonObject()
        .put(SERVER_TIME_MS, now.toEpochMilli())
        .put(SERVER_TIME, now.toString())
        .put(NODE_ID, nodeId)
        .put(Frames.SESSION_ID, sessionId)
        .put(TRANSPORT, transport)
        .put(ROOMS_SUBSCRIBED, roomsSubscribed)
        .put(QUEUED_BYTES, queuedBytes)
        .put(QUEUE_MAX_BYTES, queueMaxBytes)
        .put(CONNECTED_SINCE, connectedSince.truncatedTo(ChronoUnit.MILLIS).toString())
        .put(TOKEN_EXPIRES_AT, tokenExpiresAt == null ? null : tokenExpiresAt.toString())
        .put(Frames.CONTRACT_VERSION, Envelope.CONTRACT_VERSION);
  }
}

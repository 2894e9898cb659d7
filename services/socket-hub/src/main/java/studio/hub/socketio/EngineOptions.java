package studio.hub.socketio;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The Engine.IO timing and size a client is told in the handshake: the hub pings every
 * {@code pingInterval} and closes a session whose pong is {@code pingTimeout} late; a polling body
 * may carry at most {@code maxPayload} bytes.
 */
public record EngineOptions(Duration pingInterval, Duration pingTimeout, int maxPayload) {

  /** The OPEN packet; {@code upgrades} lists {@code websocket} only for a session that starts on polling. */
  public EnginePacket open(String sid, boolean upgradable) {
    JsonObject handshake = new JsonObject()
        .put("sid", sid)
        .put("upgrades", upgradable ? new JsonArray().add("websocket") : new JsonArray())
        .put("pingInterval", pingInterval.toMillis())
        .put("pingTimeout", pingTimeout.toMillis())
        .put("maxPayload", maxPayload);
    return new EnginePacket(EnginePacket.Type.OPEN, handshake.encode());
  }
}

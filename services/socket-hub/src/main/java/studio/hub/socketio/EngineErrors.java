package studio.hub.socketio;

import io.vertx.core.json.JsonObject;

/** The Engine.IO server's error bodies (code and message as every Engine.IO server sends them). */
final class EngineErrors {
  static final String UNKNOWN_TRANSPORT = body(0, "Transport unknown");
  static final String UNKNOWN_SID = body(1, "Session ID unknown");
  static final String BAD_HANDSHAKE_METHOD = body(2, "Bad handshake method");
  static final String BAD_REQUEST = body(3, "Bad request");
  static final String FORBIDDEN = body(4, "Forbidden");
  static final String UNSUPPORTED_PROTOCOL_VERSION = body(5, "Unsupported protocol version");

  private EngineErrors() {
  }

  private static String body(int code, String message) {
    return new JsonObject().put("code", code).put("message", message).encode();
  }
}

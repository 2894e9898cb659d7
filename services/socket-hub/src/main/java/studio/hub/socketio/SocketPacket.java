package studio.hub.socketio;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * One Socket.IO v5 packet, carried in an Engine.IO message (https://socket.io/docs/v4/socket-io-protocol/):
 * {@code <type>[<namespace>,][<ack id>][<JSON data>]}, the namespace omitted when it is {@code /}.
 * The binary types are refused: the hub's events are JSON.
 */
public record SocketPacket(Type type, String namespace, Long ackId, Object data) {
  /** In wire order: the ordinal is the digit. */
  public enum Type { CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK }

  public static SocketPacket connected(String namespace, String socketId) {
    return new SocketPacket(Type.CONNECT, namespace, null, new JsonObject().put("sid", socketId));
  }

  public static SocketPacket connectError(String namespace, String message, JsonObject details) {
    JsonObject data = new JsonObject().put("message", message);
    return new SocketPacket(Type.CONNECT_ERROR, namespace, null, details == null ? data : data.put("data", details));
  }

  public static SocketPacket event(String namespace, String name, Object argument) {
    return new SocketPacket(Type.EVENT, namespace, null, new JsonArray().add(name).add(argument));
  }

  public static SocketPacket ack(String namespace, long ackId, Object argument) {
    return new SocketPacket(Type.ACK, namespace, ackId, new JsonArray().add(argument));
  }

  public static SocketPacket disconnect(String namespace) {
    return new SocketPacket(Type.DISCONNECT, namespace, null, null);
  }

  public String encode() {
    StringBuilder text = new StringBuilder().append((char) ('0' + type.ordinal()));
    if (!"/".equals(namespace)) {
      text.append(namespace).append(',');
    }
    if (ackId != null) {
      text.append(ackId);
    }
    if (data != null) {
      text.append(Json.encode(data));
    }
    return text.toString();
  }

  /** An event's name (its data's first element), or null for any other packet. */
  public String eventName() {
    return type == Type.EVENT && data instanceof JsonArray array && !array.isEmpty() && array.getValue(0) instanceof String name
        ? name : null;
  }

  /** An event's first argument after its name, or null. */
  public Object eventArgument() {
    return data instanceof JsonArray array && array.size() > 1 ? array.getValue(1) : null;
  }

  public static SocketPacket decode(String text) {
    if (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) >= '0' + Type.values().length) {
      throw bad("a Socket.IO packet starts with a type digit 0-6");
    }
    Type type = Type.values()[text.charAt(0) - '0'];
    if (type == Type.BINARY_EVENT || type == Type.BINARY_ACK) {
      throw bad("binary Socket.IO packets are not supported");
    }
    int at = 1;
    String namespace = "/";
    if (at < text.length() && text.charAt(at) == '/') {
      int comma = text.indexOf(',', at);
      namespace = comma < 0 ? text.substring(at) : text.substring(at, comma);
      at = comma < 0 ? text.length() : comma + 1;
    }
    int digits = at;
    while (digits < text.length() && Character.isDigit(text.charAt(digits)) && digits - at < 18) {
      digits++;
    }
    Long ackId = digits > at ? Long.parseLong(text.substring(at, digits)) : null;
    Object data = digits < text.length() ? json(text.substring(digits)) : null;
    SocketPacket packet = new SocketPacket(type, namespace, ackId, data);
    packet.check();
    return packet;
  }

  private void check() {
    switch (type) {
      case CONNECT -> {
        if (data != null && !(data instanceof JsonObject)) {
          throw bad("a CONNECT packet's data must be an object");
        }
      }
      case EVENT -> {
        if (eventName() == null) {
          throw bad("an EVENT packet's data must be an array starting with the event name");
        }
      }
      case ACK -> {
        if (ackId == null || !(data instanceof JsonArray)) {
          throw bad("an ACK packet needs an id and an array of arguments");
        }
      }
      default -> {
      }
    }
  }

  private static Object json(String text) {
    try {
      Object value = Json.decodeValue(text);
      if (!(value instanceof JsonObject) && !(value instanceof JsonArray)) {
        throw bad("a Socket.IO packet's data must be a JSON object or array");
      }
      return value;
    } catch (DecodeException e) {
      throw bad("a Socket.IO packet's data is not JSON");
    }
  }

  private static ContractException bad(String message) {
    return new ContractException(ErrorCode.BAD_FRAME, message);
  }
}

package studio.hub.socketio;

import java.util.ArrayList;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * One Engine.IO v4 packet: a type digit, then its data (https://socket.io/docs/v4/engine-io-protocol/).
 * Text only: the hub never sends binary, and a binary packet from a client is refused.
 */
public record EnginePacket(Type type, String data) {
  /** Separates packets in one HTTP long-polling body. */
  public static final char RECORD_SEPARATOR = '\u001e';

  /** In wire order: the ordinal is the digit. */
  public enum Type { OPEN, CLOSE, PING, PONG, MESSAGE, UPGRADE, NOOP }

  public static final EnginePacket PING = new EnginePacket(Type.PING, "");
  public static final EnginePacket CLOSE = new EnginePacket(Type.CLOSE, "");
  public static final EnginePacket NOOP = new EnginePacket(Type.NOOP, "");

  public EnginePacket {
    data = data == null ? "" : data;
  }

  public static EnginePacket message(String data) {
    return new EnginePacket(Type.MESSAGE, data);
  }

  public String encode() {
    return (char) ('0' + type.ordinal()) + data;
  }

  public static EnginePacket decode(String text) {
    if (text.isEmpty()) {
      throw new ContractException(ErrorCode.BAD_FRAME, "an empty Engine.IO packet");
    }
    char digit = text.charAt(0);
    if (digit == 'b') {
      throw new ContractException(ErrorCode.BAD_FRAME, "binary Engine.IO packets are not supported");
    }
    if (digit < '0' || digit >= '0' + Type.values().length) {
      throw new ContractException(ErrorCode.BAD_FRAME, "unknown Engine.IO packet type '" + digit + "'");
    }
    return new EnginePacket(Type.values()[digit - '0'], text.substring(1));
  }

  /** The body of one long-polling response: the packets joined by the record separator. */
  public static String encodePayload(List<String> encodedPackets) {
    return String.join(String.valueOf(RECORD_SEPARATOR), encodedPackets);
  }

  /** The packets of one long-polling request body. */
  public static List<EnginePacket> decodePayload(String body) {
    List<EnginePacket> packets = new ArrayList<>();
    int start = 0;
    while (start <= body.length()) {
      int end = body.indexOf(RECORD_SEPARATOR, start);
      if (end < 0) {
        end = body.length();
      }
      packets.add(decode(body.substring(start, end)));
      start = end + 1;
    }
    return packets;
  }
}

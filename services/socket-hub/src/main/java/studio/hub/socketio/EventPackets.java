package studio.hub.socketio;

import java.util.Arrays;
import studio.contract.socketio.SocketIoNames;
import studio.hub.transport.EncodedText;

/**
 * Turns the hub's pre-encoded {@code event} frame into the two Socket.IO packets a page receives: the
 * envelope under its {@code event_type}, then {@code rt.event} with {@code {room, offset, epoch, event}}.
 * By string surgery, not a JSON parse: the frame's layout is fixed (EnvelopeTemplate), and fan-out
 * hands every subscriber the same string, so the last translation is kept and reused by identity:
 * the packets are encoded to bytes once per event, not once per subscriber.
 */
final class EventPackets {
  private static final String EVENT_OP = "\"op\":\"event\",";
  private static final String EVENT_FIELD = "\"event\":";
  private static final String EVENT_TYPE_FIELD = "\"event_type\":\"";
  private static final String NAMESPACE_PREFIX = "42" + SocketIoNames.NAMESPACE + ",[\"";

  /**
   * One event's Engine.IO messages, in order: as text for the polling outbox, and as UTF-8 bytes shared
   * by every WebSocket subscriber ({@link EncodedText}).
   */
  record Translation(EncodedText... packets) {
    static Translation of(String... packets) {
      return new Translation(Arrays.stream(packets).map(EncodedText::of).toArray(EncodedText[]::new));
    }
  }

  private String lastFrame;
  private Translation lastTranslation;

  static boolean isEvent(String frame) {
    return frame.startsWith("{\"op\":\"event\"") || frame.startsWith("{\"conflated\":");
  }

  /** The encoded Engine.IO messages for one event frame, in the order a page receives them. */
  Translation translate(String frame) {
    if (frame != lastFrame) {
      lastTranslation = Translation.of(encode(frame));
      lastFrame = frame;
    }
    return lastTranslation;
  }

  private static String[] encode(String frame) {
    int op = frame.indexOf(EVENT_OP);
    String generic = frame.substring(0, op) + frame.substring(op + EVENT_OP.length());
    int envelopeStart = frame.indexOf(EVENT_FIELD, op) + EVENT_FIELD.length();
    String envelope = frame.substring(envelopeStart, frame.length() - 1);
    int typeStart = envelope.indexOf(EVENT_TYPE_FIELD) + EVENT_TYPE_FIELD.length();
    String eventType = envelope.substring(typeStart, envelope.indexOf('"', typeStart));
    return new String[] {
        NAMESPACE_PREFIX + eventType + "\"," + envelope + "]",
        NAMESPACE_PREFIX + SocketIoNames.EVENT + "\"," + generic + "]"};
  }
}

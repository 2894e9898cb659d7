package studio.hub.session;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import studio.contract.envelope.EventType;
import studio.hub.broker.RoomFrame;

/**
 * Event frames waiting for a client that reads slower than events arrive. Bounded in bytes; when
 * full, progress-like (conflatable) events of the same entity and room are coalesced, keeping the
 * newest and counting in its {@code conflated} field how many offsets it superseded. Only when that
 * is not enough does {@link #offer} report overflow, and the session disconnects the client.
 */
final class OutboundQueue {
  private static final class Entry {
    final RoomFrame frame;
    final String conflationKey;
    final int bytes;
    int superseded;

    Entry(RoomFrame frame, String conflationKey, int superseded) {
      this.frame = frame;
      this.conflationKey = conflationKey;
      this.superseded = superseded;
      this.bytes = frame.frame().length();
    }
  }

  private final int maxBytes;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final Map<String, Entry> conflatable = new HashMap<>();
  private long bytes;

  OutboundQueue(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Queues a frame; false when even after conflation the queue would exceed its byte limit. */
  boolean offer(RoomFrame frame) {
    String key = conflationKey(frame);
    int superseded = 0;
    if (key != null) {
      Entry older = conflatable.remove(key);
      if (older != null) {
        entries.remove(older);
        bytes -= older.bytes;
        superseded = older.superseded + 1;
      }
    }
    Entry entry = new Entry(frame, key, superseded);
    entries.addLast(entry);
    bytes += entry.bytes;
    if (key != null) {
      conflatable.put(key, entry);
    }
    return bytes <= maxBytes;
  }

  /** The next frame to write, with its {@code conflated} count injected when it superseded others. */
  String poll() {
    Entry entry = entries.pollFirst();
    if (entry == null) {
      return null;
    }
    bytes -= entry.bytes;
    if (entry.conflationKey != null) {
      conflatable.remove(entry.conflationKey, entry);
    }
    String frame = entry.frame.frame();
    return entry.superseded == 0 ? frame : "{\"conflated\":" + entry.superseded + "," + frame.substring(1);
  }

  /** Only lagging clients pay for this parse; the fast path never decodes a frame. */
  private static String conflationKey(RoomFrame frame) {
    JsonObject envelope = new JsonObject(frame.frame()).getJsonObject("event");
    boolean progressLike = EventType.fromWire(envelope.getString("event_type")).map(EventType::conflatable).orElse(false);
    return progressLike
        ? frame.room() + "|" + envelope.getString("sequence_stream") + "|" + envelope.getString("event_type")
        : null;
  }


}

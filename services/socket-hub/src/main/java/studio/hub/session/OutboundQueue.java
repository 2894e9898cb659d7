package studio.hub.session;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import studio.contract.envelope.EventTypeName;
import studio.contract.frame.Frames;
import studio.hub.broker.RoomFrame;

/**
 * Frames waiting for a client that reads slower than they are produced: events and the session's
 * own replies (acks, pongs, errors) alike, so a client that sends and never reads is bounded too.
 * Bounded in bytes; when full, progress-like (conflatable) events of the same entity and room are
 * coalesced, keeping the newest and counting in its {@code conflated} field how many offsets it
 * superseded. Only when that is not enough does an offer report overflow, and the session
 * disconnects the client.
 */
final class OutboundQueue {
  /** A frame ready to write; {@code event} tells an event frame from a reply (only events count as deliveries). */
  record Outgoing(String frame, boolean event) {
  }

  private static final class Entry {
    final String frame;
    final boolean event;
    final String conflationKey;
    final int bytes;
    int superseded;

    Entry(String frame, boolean event, String conflationKey, int superseded) {
      this.frame = frame;
      this.event = event;
      this.conflationKey = conflationKey;
      this.superseded = superseded;
      this.bytes = frame.length();
    }
  }

  private final int maxBytes;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final Map<String, Entry> conflatable = new HashMap<>();
  private long bytes;

  OutboundQueue(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Bytes of the frames waiting, as counted against the bound. */
  long bytes() {
    return bytes;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Queues an event frame; false when even after conflation the queue, with the {@code heldElsewhere}
   * bytes the transport still holds for the same client, would exceed the byte limit.
   */
  boolean offer(RoomFrame frame, long heldElsewhere) {
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
    Entry entry = add(new Entry(frame.frame(), true, key, superseded));
    if (key != null) {
      conflatable.put(key, entry);
    }
    return bytes + heldElsewhere <= maxBytes;
  }

  /** Queues a reply frame (never conflated); false when it would exceed the byte limit, as {@link #offer}. */
  boolean offerReply(String frame, long heldElsewhere) {
    add(new Entry(frame, false, null, 0));
    return bytes + heldElsewhere <= maxBytes;
  }

  /** The next frame to write, with its {@code conflated} count injected when it superseded others. */
  Outgoing poll() {
    Entry entry = entries.pollFirst();
    if (entry == null) {
      return null;
    }
    bytes -= entry.bytes;
    if (entry.conflationKey != null) {
      conflatable.remove(entry.conflationKey, entry);
    }
    String frame = entry.superseded == 0 ? entry.frame : Frames.conflated(entry.frame, entry.superseded);
    return new Outgoing(frame, entry.event);
  }

  private Entry add(Entry entry) {
    entries.addLast(entry);
    bytes += entry.bytes;
    return entry;
  }

  /** Only lagging clients pay for this parse; the fast path never decodes a frame. */
  private static String conflationKey(RoomFrame frame) {
    JsonObject envelope = new JsonObject(frame.frame()).getJsonObject(Frames.EVENT);
    boolean progressLike = EventTypeName.fromWire(envelope.getString("event_type")).map(EventTypeName::conflatable).orElse(false);
    return progressLike
        ? frame.room() + "|" + envelope.getString("sequence_stream") + "|" + envelope.getString("event_type")
        : null;
  }
}

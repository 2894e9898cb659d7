package studio.hub.broker;

import java.util.List;

/**
 * Frames of one room after a given offset, in offset order, with the room's position when read.
 * {@code complete} is true when every offset after the requested one up to {@code position.offset}
 * is in {@code frames} (nothing was trimmed); only then may a client resume without re-reading state.
 */
public record History(RoomPosition position, List<RoomFrame> frames, boolean complete) {
  public History {
    frames = List.copyOf(frames);
  }
}

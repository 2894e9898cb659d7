package studio.hub.fanout;

import io.vertx.core.Promise;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import studio.contract.room.RoomKey;
import studio.hub.broker.RoomFrame;
import studio.hub.broker.RoomPosition;

/**
 * This instance's view of one room: who here listens, the last offset forwarded, and frames held
 * back until the offsets before them have arrived (from the live link or from history).
 */
final class RoomChannel {
  final RoomKey room;
  final Set<Consumer<RoomFrame>> subscribers = new LinkedHashSet<>();
  /** Frames that arrived ahead of {@link #lastOffset} + 1, by offset. */
  final TreeMap<Long, RoomFrame> heldBack = new TreeMap<>();
  long lastOffset;
  String epoch;
  /** False until the broker subscription is active and the starting position is known. */
  boolean ready;
  /** Completes with the starting position once ready; every subscriber that joined meanwhile waits on it. */
  final Promise<RoomPosition> opened = Promise.promise();
  boolean filling;

  RoomChannel(RoomKey room) {
    this.room = room;
  }
}

package studio.hub.broker;

import studio.contract.room.RoomKey;

/**
 * The hub's Redis names. Every key of a room shares the room as hash tag ({@code {task:42}}), and a
 * stream's keys share the stream, so a Redis Cluster keeps each room on one shard.
 */
final class RedisKeys {
  private static final String PREFIX = "studio:rt:{";

  private RedisKeys() {
  }

  static String sequence(String stream) {
    return PREFIX + stream + "}:seq";
  }

  static String idempotency(String stream, String key) {
    return PREFIX + stream + "}:idem:" + key;
  }

  static String meta(RoomKey room) {
    return PREFIX + room + "}:meta";
  }

  static String history(RoomKey room) {
    return PREFIX + room + "}:hist";
  }

  /** Marks that an event reached the room, for a retry completing a publish that spanned slots. */
  static String applied(RoomKey room, String eventId) {
    return PREFIX + room + "}:applied:" + eventId;
  }

  static String channel(RoomKey room) {
    return PREFIX + room + "}:ch";
  }

  /** The room a fan-out channel belongs to, or null for any other channel. */
  static RoomKey roomOfChannel(String channel) {
    if (!channel.startsWith(PREFIX) || !channel.endsWith("}:ch")) {
      return null;
    }
    return RoomKey.parse(channel.substring(PREFIX.length(), channel.length() - "}:ch".length()));
  }
}

package studio.hub.broker;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The one format of a room's epoch, for both brokers: when the epoch began, in hex milliseconds,
 * then {@value #RANDOM_DIGITS} random hex digits. Clients treat it as opaque and only compare it; the
 * time makes a new epoch differ from the one it replaces and tells operators when a room restarted,
 * the random part keeps two rooms' epochs that start in the same millisecond apart.
 */
final class RoomEpoch {
  static final int RANDOM_DIGITS = 8;
  /** What {@link #next} makes, as a regular expression (the contract test holds both brokers to it). */
  static final String FORMAT = "[0-9a-f]+[0-9a-f]{" + RANDOM_DIGITS + "}";

  private RoomEpoch() {
  }

  static String next() {
    return Long.toHexString(System.currentTimeMillis())
        + String.format("%08x", ThreadLocalRandom.current().nextInt());
  }
}

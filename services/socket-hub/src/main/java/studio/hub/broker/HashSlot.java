package studio.hub.broker;

import java.nio.charset.StandardCharsets;

/**
 * The Redis Cluster hash slot of a key, as a Redis node computes it (CRC16/XMODEM of the hash tag, or
 * of the whole key without one, modulo 16384), so the broker can group a publish's keys by slot.
 */
final class HashSlot {
  static final int SLOTS = 16384;

  private HashSlot() {
  }

  static int of(String key) {
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      // An empty tag ("{}") does not count: Redis then hashes the whole key.
      if (close > open + 1) {
        key = key.substring(open + 1, close);
      }
    }
    return crc16(key.getBytes(StandardCharsets.UTF_8)) % SLOTS;
  }

  private static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc;
  }
}

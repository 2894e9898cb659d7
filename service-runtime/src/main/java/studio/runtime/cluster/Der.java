package studio.runtime.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The few DER (ASN.1) encodings a self-signed X.509 certificate needs; the JDK can read but not write one. */
final class Der {
  private static final int INTEGER = 0x02;
  private static final int BIT_STRING = 0x03;
  private static final int UTF8_STRING = 0x0c;
  private static final int UTC_TIME = 0x17;
  private static final int GENERALIZED_TIME = 0x18;
  private static final int SEQUENCE = 0x30;
  private static final int SET = 0x31;

  private Der() {
  }

  static byte[] sequence(byte[]... elements) {
    return tagged(SEQUENCE, concat(elements));
  }

  static byte[] set(byte[]... elements) {
    return tagged(SET, concat(elements));
  }

  /** A small non-negative integer. */
  static byte[] integer(int value) {
    if (value < 0 || value > 127) {
      throw new IllegalArgumentException("only 0..127 is needed here");
    }
    return tagged(INTEGER, new byte[] {(byte) value});
  }

  static byte[] bitString(byte[] bits) {
    byte[] content = new byte[bits.length + 1];
    System.arraycopy(bits, 0, content, 1, bits.length); // first byte: no unused bits
    return tagged(BIT_STRING, content);
  }

  static byte[] utf8(String text) {
    return tagged(UTF8_STRING, text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code YYMMDDhhmmssZ}, for dates before 2050 (RFC 5280 4.1.2.5). */
  static byte[] utcTime(String text) {
    return tagged(UTC_TIME, text.getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code YYYYMMDDhhmmssZ}, for dates from 2050 on. */
  static byte[] generalizedTime(String text) {
    return tagged(GENERALIZED_TIME, text.getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
        out.write(length >>> shift);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}

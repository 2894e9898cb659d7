package studio.hub.support;

import java.util.Random;

/** Test payloads. */
public final class Texts {
  private Texts() {
  }

  /**
   * {@code prefix}, then random letters up to {@code chars} characters, with a two-character multi-byte
   * run ({@code é☃}) about every 50 letters: text a compressor shrinks only to about 60 %, so it stays
   * longer than a frame limit when compressed, and whose UTF-8 is cut mid-character when fragmented.
   * The same {@code seed} gives the same text.
   */
  public static String incompressible(String prefix, int chars, long seed) {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder(prefix);
    while (text.length() < chars) {
      text.append((char) ('a' + random.nextInt(26))).append(random.nextInt(50) == 0 ? "\u00e9\u2603" : "");
    }
    return text.toString();
  }
}

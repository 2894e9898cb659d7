package studio.runtime.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869): independent keys from one secret, one per {@code info} label, so what one
 * use reveals (the cluster name travels in clear text) says nothing about another (the TLS key).
 */
final class Hkdf {
  private static final String HMAC = "HmacSHA256";
  private static final byte[] SALT = "studio cluster v1".getBytes(StandardCharsets.UTF_8);

  private Hkdf() {
  }

  static byte[] derive(String secret, String info, int length) {
    return derive(SALT, secret.getBytes(StandardCharsets.UTF_8), info.getBytes(StandardCharsets.UTF_8), length);
  }

  static byte[] derive(byte[] salt, byte[] inputKey, byte[] info, int length) {
    if (length > 255 * 32) {
      throw new IllegalArgumentException("HKDF-SHA256 yields at most 8160 bytes");
    }
    try {
      byte[] pseudoRandomKey = mac(salt).doFinal(inputKey);
      Mac expand = mac(pseudoRandomKey);
      Arrays.fill(pseudoRandomKey, (byte) 0);
      byte[] out = new byte[length];
      byte[] block = new byte[0];
      for (int filled = 0, counter = 1; filled < length; counter++) {
        expand.update(block);
        expand.update(info);
        expand.update((byte) counter);
        block = expand.doFinal();
        int take = Math.min(block.length, length - filled);
        System.arraycopy(block, 0, out, filled, take);
        filled += take;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static Mac mac(byte[] key) throws GeneralSecurityException {
    Mac mac = Mac.getInstance(HMAC);
    mac.init(new SecretKeySpec(key, HMAC));
    return mac;
  }
}

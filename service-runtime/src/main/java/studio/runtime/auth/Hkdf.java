package studio.runtime.auth;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): turns one secret into independent keys, one per {@code info}
 * label. The JDK has no HKDF before Java 24 and nothing on the classpath offers one, hence these lines.
 * The one HKDF of the codebase: realtime-token and cookie keys ({@link TokenKeys}) and the cluster's
 * name and TLS key ({@code studio.runtime.cluster.ClusterKeys}).
 */
public final class Hkdf {
  private static final String HMAC = "HmacSHA256";
  private static final int HASH_LENGTH = 32;

  private Hkdf() {
  }

  /** Extract then expand: {@code length} bytes of key material for {@code info}. */
  public static byte[] derive(byte[] salt, byte[] inputKey, byte[] info, int length) {
    return expand(extract(salt, inputKey), info, length);
  }

  /** PRK = HMAC-Hash(salt, IKM); an empty salt stands for HashLen zero bytes. */
  static byte[] extract(byte[] salt, byte[] inputKey) {
    return hmac(salt.length == 0 ? new byte[HASH_LENGTH] : salt, inputKey);
  }

  /** T(i) = HMAC-Hash(PRK, T(i-1) | info | i), concatenated and cut to {@code length}. */
  static byte[] expand(byte[] pseudoRandomKey, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_LENGTH) {
      throw new IllegalArgumentException("HKDF output length must be 1.." + 255 * HASH_LENGTH + ", got " + length);
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream(length);
    byte[] previous = new byte[0];
    for (int block = 1; output.size() < length; block++) {
      byte[] input = new byte[previous.length + info.length + 1];
      System.arraycopy(previous, 0, input, 0, previous.length);
      System.arraycopy(info, 0, input, previous.length, info.length);
      input[input.length - 1] = (byte) block;
      previous = hmac(pseudoRandomKey, input);
      output.write(previous, 0, Math.min(previous.length, length - output.size()));
    }
    return output.toByteArray();
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      return mac.doFinal(data);
    } catch (GeneralSecurityException impossible) {
      // Every Java SE runtime ships HmacSHA256.
      throw new IllegalStateException(impossible);
    }
  }
}

package studio.runtime.auth;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;

/**
 * The HS256 keys derived from {@code JWT_SECRET_KEY}, one per use, with HKDF-SHA256 and distinct labels.
 * Realtime tokens go to every caller, who may try to recover their key offline; that key signs no
 * session cookie, and neither key is the raw secret, so a token of one kind never passes as the other.
 */
public final class TokenKeys {
  static final String SESSION_COOKIE_INFO = "studio session cookie v1";
  static final String REALTIME_TOKEN_INFO = "studio realtime token v1";
  private static final int KEY_BYTES = 32;

  private TokenKeys() {
  }

  /** Signs and checks web's session cookies (basic mode). */
  public static byte[] sessionCookieKey(String jwtSecretKey) {
    return derive(jwtSecretKey, SESSION_COOKIE_INFO);
  }

  /** Signs (web) and checks (hub) realtime tokens; use {@link RealtimeTokens} rather than this key directly. */
  public static byte[] realtimeTokenKey(String jwtSecretKey) {
    return derive(jwtSecretKey, REALTIME_TOKEN_INFO);
  }

  public static JWTAuth sessionCookies(Vertx vertx, String jwtSecretKey) {
    return hs256(vertx, sessionCookieKey(jwtSecretKey));
  }

  /** An HS256 provider over a key that checks signatures and expiry only. */
  public static JWTAuth hs256(Vertx vertx, byte[] key) {
    return hs256(vertx, key, new JWTOptions());
  }

  /** An HS256 provider over a derived key; {@code verification} names the iss/aud it insists on, if any. */
  public static JWTAuth hs256(Vertx vertx, byte[] key, JWTOptions verification) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(Buffer.buffer(key)))
        .setJWTOptions(verification));
  }

  /** The claims of an authenticated token: vertx-auth-jwt keeps them in the user's attributes, the raw token in its principal. */
  public static JsonObject claims(User user) {
    JsonObject decoded = user.attributes().getJsonObject("accessToken");
    return decoded != null ? decoded : user.principal();
  }

  private static byte[] derive(String jwtSecretKey, String label) {
    return Hkdf.derive(new byte[0], jwtSecretKey.getBytes(StandardCharsets.UTF_8),
        label.getBytes(StandardCharsets.UTF_8), KEY_BYTES);
  }
}

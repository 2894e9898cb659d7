package studio.runtime.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** The one HS256 construction over {@code JWT_SECRET_KEY}: web signs realtime tokens and sessions, the hub verifies. */
public final class TokenKeys {
  private TokenKeys() {
  }

  public static JWTAuth hs256(Vertx vertx, String secret) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** The claims of an authenticated token: vertx-auth-jwt keeps them in the user's attributes, the raw token in its principal. */
  public static JsonObject claims(User user) {
    JsonObject decoded = user.attributes().getJsonObject("accessToken");
    return decoded != null ? decoded : user.principal();
  }
}

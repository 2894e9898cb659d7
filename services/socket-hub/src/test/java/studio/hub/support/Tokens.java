package studio.hub.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import java.util.List;
import studio.contract.room.RealtimeToken;
import studio.hub.auth.TokenVerifier;

/** Mints realtime tokens the way web does, for tests. */
public final class Tokens {
  public static final String SECRET = "test-secret-0123456789abcdef0123456789";

  private Tokens() {
  }

  public static String grant(Vertx vertx, int expiresInSeconds, String... rooms) {
    return TokenVerifier.create(vertx, SECRET).generateToken(
        new JsonObject().put("sub", "tester").put(RealtimeToken.ROOMS_CLAIM, new JsonArray(List.of((Object[]) rooms))),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(expiresInSeconds));
  }

  public static String grant(Vertx vertx, String... rooms) {
    return grant(vertx, 3600, rooms);
  }
}

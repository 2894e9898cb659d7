package studio.hub.support;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import studio.runtime.auth.RealtimeTokens;

/** Mints realtime tokens with web's own minting code, for tests. */
public final class Tokens {
  public static final String SECRET = "test-secret-0123456789abcdef0123456789";

  private Tokens() {
  }

  public static String grant(Vertx vertx, int expiresInSeconds, String... rooms) {
    return RealtimeTokens.create(vertx, SECRET).mint("tester", List.of(rooms), Duration.ofSeconds(expiresInSeconds));
  }

  public static String grant(Vertx vertx, String... rooms) {
    return grant(vertx, 3600, rooms);
  }
}

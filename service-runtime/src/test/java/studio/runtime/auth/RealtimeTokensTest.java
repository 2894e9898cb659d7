package studio.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RealtimeTokensTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  @DisplayName("the session and realtime keys are HKDF outputs of JWT_SECRET_KEY: distinct, stable, neither the secret")
  void distinctDerivedKeys() {
    byte[] session = TokenKeys.sessionCookieKey(SECRET);
    byte[] realtime = TokenKeys.realtimeTokenKey(SECRET);
    assertThat(session).hasSize(32).isNotEqualTo(realtime).isNotEqualTo(SECRET.getBytes());
    assertThat(TokenKeys.realtimeTokenKey(SECRET)).isEqualTo(realtime);
    assertThat(realtime).isEqualTo(Hkdf.derive(new byte[0], SECRET.getBytes(), "studio realtime token v1".getBytes(), 32));
    assertThat(TokenKeys.realtimeTokenKey(SECRET + "x")).isNotEqualTo(realtime);
  }

  @Test
  @DisplayName("a minted token verifies with the same secret and carries sub, rooms, exp, iss studio-web and aud studio-hub")
  void mintAndVerify(Vertx vertx, VertxTestContext test) {
    String token = RealtimeTokens.create(vertx, SECRET).mint("ada", List.of("task:42", "thread:*"), Duration.ofMinutes(2));
    RealtimeTokens.create(vertx, SECRET).verify(token).onComplete(test.succeeding(claims -> test.verify(() -> {
      assertThat(claims.getString("sub")).isEqualTo("ada");
      assertThat(claims.getJsonArray("rooms").getList()).containsExactly("task:42", "thread:*");
      assertThat(claims.getString("iss")).isEqualTo("studio-web");
      assertThat(audience(claims)).containsExactly("studio-hub");
      assertThat(claims.getLong("exp") - claims.getLong("iat")).isBetween(119L, 121L);
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("a token minted with another secret, or already expired, does not verify")
  void refusals(Vertx vertx, VertxTestContext test) {
    RealtimeTokens tokens = RealtimeTokens.create(vertx, SECRET);
    String foreign = RealtimeTokens.create(vertx, SECRET + "-other").mint("x", List.of("*"), Duration.ofMinutes(1));
    String expired = tokens.mint("x", List.of("*"), Duration.ofSeconds(-60));
    var checkpoint = test.checkpoint(2);
    tokens.verify(foreign).onComplete(test.failing(failure -> checkpoint.flag()));
    tokens.verify(expired).onComplete(test.failing(failure -> checkpoint.flag()));
  }

  private static List<Object> audience(JsonObject claims) {
    Object aud = claims.getValue("aud");
    return aud instanceof JsonArray array ? array.getList() : List.of(aud);
  }
}

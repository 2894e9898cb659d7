package studio.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.hub.support.Tokens;
import studio.runtime.auth.TokenKeys;

@ExtendWith(VertxExtension.class)
class TokenVerifierTest {

  @Test
  @DisplayName("a token minted with the shared secret yields its subject, room grant and expiry")
  void validToken(Vertx vertx, VertxTestContext test) {
    new TokenVerifier(vertx, Tokens.SECRET).verify(Tokens.grant(vertx, "task:*", "thread:12"))
        .onComplete(test.succeeding(principal -> test.verify(() -> {
          assertThat(principal.subject()).isEqualTo("tester");
          assertThat(principal.grant().allows(RoomKey.parse("task:9"))).isTrue();
          assertThat(principal.grant().allows(RoomKey.parse("thread:13"))).isFalse();
          assertThat(principal.expiresAt()).isAfter(Instant.now());
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("an expired token is unauthenticated")
  void expired(Vertx vertx, VertxTestContext test) {
    refused(vertx, test, Tokens.grant(vertx, -60, "task:*"));
  }

  @Test
  @DisplayName("a token signed with the realtime key but without an audience is refused")
  void noAudience(Vertx vertx, VertxTestContext test) {
    refused(vertx, test, sign(realtimeKey(vertx), claims().put("iss", "studio-web")));
  }

  @Test
  @DisplayName("a token signed with the realtime key for another audience (a session) is refused")
  void wrongAudience(Vertx vertx, VertxTestContext test) {
    refused(vertx, test, sign(realtimeKey(vertx), claims().put("iss", "studio-web").put("aud", "studio-session")));
  }

  @Test
  @DisplayName("a token signed with the realtime key from another issuer is refused")
  void wrongIssuer(Vertx vertx, VertxTestContext test) {
    refused(vertx, test, sign(realtimeKey(vertx), claims().put("iss", "someone-else").put("aud", "studio-hub")));
  }

  @Test
  @DisplayName("a token of the old scheme, signed with the raw JWT_SECRET_KEY, is refused even with iss and aud")
  void rawSecretRefused(Vertx vertx, VertxTestContext test) {
    JWTAuth raw = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(Tokens.SECRET)));
    refused(vertx, test, sign(raw, claims().put("iss", "studio-web").put("aud", "studio-hub")));
  }

  private static JsonObject claims() {
    return new JsonObject().put("sub", "mallory").put("rooms", new JsonArray().add("*"));
  }

  /** What signs realtime tokens: a key derived from JWT_SECRET_KEY for this one use. */
  private static JWTAuth realtimeKey(Vertx vertx) {
    return TokenKeys.hs256(vertx, TokenKeys.realtimeTokenKey(Tokens.SECRET));
  }

  private static String sign(JWTAuth key, JsonObject claims) {
    return key.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(600));
  }

  private static void refused(Vertx vertx, VertxTestContext test, String token) {
    new TokenVerifier(vertx, Tokens.SECRET).verify(token)
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(((ContractException) failure).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
          test.completeNow();
        })));
  }
}

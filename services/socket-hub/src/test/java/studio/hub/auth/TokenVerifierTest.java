package studio.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.hub.support.Tokens;

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
          assertThat(principal.expiresAt()).isAfter(java.time.Instant.now());
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("an expired token is unauthenticated")
  void expired(Vertx vertx, VertxTestContext test) {
    new TokenVerifier(vertx, Tokens.SECRET).verify(Tokens.grant(vertx, -60, "task:*"))
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(((ContractException) failure).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
          test.completeNow();
        })));
  }
}

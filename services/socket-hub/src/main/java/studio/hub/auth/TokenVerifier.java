package studio.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RealtimeToken;
import studio.contract.room.RoomGrant;
import studio.runtime.auth.RealtimeTokens;

/**
 * Checks realtime tokens ({@link RealtimeTokens}: the realtime key derived from {@code JWT_SECRET_KEY},
 * issuer studio-web, audience studio-hub), then an expiry and a {@code rooms} claim of room patterns.
 * Any failure is {@code unauthenticated}, with the reason for the client.
 */
public final class TokenVerifier {
  private final RealtimeTokens tokens;

  public TokenVerifier(Vertx vertx, String jwtSecretKey) {
    this.tokens = RealtimeTokens.create(vertx, jwtSecretKey);
  }

  public Future<Principal> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new ContractException(ErrorCode.UNAUTHENTICATED, "a token is required"));
    }
    return tokens.verify(token)
        .recover(failure -> Future.failedFuture(new ContractException(ErrorCode.UNAUTHENTICATED,
            "token rejected: " + failure.getMessage())))
        .compose(TokenVerifier::principal);
  }

  private static Future<Principal> principal(JsonObject claims) {
    Long exp = claims.getLong("exp");
    if (exp == null) {
      return Future.failedFuture(new ContractException(ErrorCode.UNAUTHENTICATED, "token has no expiry (exp)"));
    }
    Object rooms = claims.getValue(RealtimeToken.ROOMS_CLAIM);
    if (!(rooms instanceof JsonArray patterns)) {
      return Future.failedFuture(new ContractException(ErrorCode.UNAUTHENTICATED,
          "token has no \"" + RealtimeToken.ROOMS_CLAIM + "\" claim"));
    }
    try {
      List<String> list = new ArrayList<>();
      patterns.forEach(pattern -> list.add(String.valueOf(pattern)));
      return Future.succeededFuture(new Principal(claims.getString("sub", "anonymous"), new RoomGrant(list),
          Instant.ofEpochSecond(exp)));
    } catch (ContractException e) {
      return Future.failedFuture(new ContractException(ErrorCode.UNAUTHENTICATED, "token grants " + e.getMessage()));
    }
  }
}

package studio.runtime.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import studio.contract.room.RealtimeToken;

/**
 * The one place realtime tokens are minted and checked: web's token endpoint mints, the hub verifies,
 * tests and the load generator mint through here too. HS256 with the realtime key of
 * {@link TokenKeys}, {@code iss} studio-web, {@code aud} studio-hub, {@code sub}, {@code exp} and the
 * {@code rooms} patterns.
 */
public final class RealtimeTokens {
  private final JWTAuth jwt;

  private RealtimeTokens(JWTAuth jwt) {
    this.jwt = jwt;
  }

  public static RealtimeTokens create(Vertx vertx, String jwtSecretKey) {
    return new RealtimeTokens(TokenKeys.hs256(vertx, TokenKeys.realtimeTokenKey(jwtSecretKey), new JWTOptions()
        .setIssuer(RealtimeToken.ISSUER).setAudience(List.of(RealtimeToken.AUDIENCE))));
  }

  /** A token for {@code subject} granting the room patterns until now + {@code ttl} (negative: already expired). */
  public String mint(String subject, Collection<String> roomPatterns, Duration ttl) {
    long now = Instant.now().getEpochSecond();
    return jwt.generateToken(new JsonObject()
            .put("sub", subject)
            .put(RealtimeToken.ROOMS_CLAIM, new JsonArray(new ArrayList<>(roomPatterns)))
            .put("exp", now + ttl.toSeconds()),
        new JWTOptions().setAlgorithm("HS256").setIssuer(RealtimeToken.ISSUER)
            .setAudience(List.of(RealtimeToken.AUDIENCE)));
  }

  /** The claims of a token with a valid signature, issuer, audience and, when it has one, an unexpired {@code exp}. */
  public Future<JsonObject> verify(String token) {
    return jwt.authenticate(new TokenCredentials(token)).map(TokenKeys::claims);
  }
}

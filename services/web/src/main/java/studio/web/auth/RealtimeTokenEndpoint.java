package studio.web.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import studio.contract.room.RealtimeToken;
import studio.contract.room.RoomGrant;
import studio.contract.room.RoomKind;
import studio.web.api.ApiRouter;
import studio.web.api.Replies;

/**
 * {@code GET /api/v1/realtime/token}: a short-lived realtime token for the caller, and the realtime
 * URLs as the browser must use them (external scheme, host and prefix). Studio is single-tenant: an
 * authenticated caller may see every room, narrowed with {@code ?rooms=task:42,flowchart_run:*}.
 */
public final class RealtimeTokenEndpoint {
  private final JWTAuth signer;
  private final AuthConfig config;
  private final RealtimeUrls urls;

  private RealtimeTokenEndpoint(JWTAuth signer, AuthConfig config, RealtimeUrls urls) {
    this.signer = signer;
    this.config = config;
    this.urls = urls;
  }

  public static void mount(Router api, JWTAuth signer, AuthConfig config, RealtimeUrls urls) {
    RealtimeTokenEndpoint endpoint = new RealtimeTokenEndpoint(signer, config, urls);
    api.get("/realtime/token").handler(ApiRouter.endpoint(endpoint::issue));
  }

  private Future<?> issue(RoutingContext ctx) {
    RoomGrant grant = requested(ctx.queryParams().get("rooms"));
    Identity identity = Identity.of(ctx);
    long ttl = config.tokenTtl().toSeconds();
    String token = signer.generateToken(new JsonObject().put("sub", identity.subject())
            .put(RealtimeToken.ROOMS_CLAIM, new JsonArray(new ArrayList<>(grant.patterns()))),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds((int) ttl));
    ctx.response().putHeader("Cache-Control", "no-store");
    return Replies.ok(ctx, new JsonObject()
        .put("token", token)
        .put("subject", identity.subject())
        .put("rooms", new JsonArray(new ArrayList<>(grant.patterns())))
        .put("expires_in", ttl)
        .put("expires_at", Instant.now().plusSeconds(ttl).toString())
        .put("endpoints", urls.forRequest(ctx)));
  }

  /** The asked patterns (validated, invalid_room otherwise), or every room kind. */
  private static RoomGrant requested(String rooms) {
    if (rooms == null || rooms.isBlank()) {
      List<String> all = Arrays.stream(RoomKind.values()).map(kind -> kind.prefix() + ":*").toList();
      return new RoomGrant(all);
    }
    return new RoomGrant(Arrays.stream(rooms.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
  }
}

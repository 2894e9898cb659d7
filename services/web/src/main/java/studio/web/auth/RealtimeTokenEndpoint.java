package studio.web.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import studio.contract.room.RoomGrant;
import studio.contract.room.RoomKind;
import studio.runtime.auth.RealtimeTokens;
import studio.web.api.Operations;
import studio.web.api.Replies;
import studio.web.api.Validated;

/**
 * {@code GET /api/v1/realtime/token}: a short-lived realtime token for the caller, and the realtime
 * URLs as the browser must use them (external scheme, host and prefix). Studio is single-tenant and has
 * no roles (basic mode knows one admin, proxy mode whoever the proxy admits, none mode is development):
 * an authenticated caller may see every room, narrowed with {@code ?rooms=task:42,flowchart_run:*}.
 * Minted by {@link RealtimeTokens}, so only the hub's audience accepts the token.
 */
public final class RealtimeTokenEndpoint {
  private final RealtimeTokens tokens;
  private final AuthConfig config;
  private final RealtimeUrls urls;

  private RealtimeTokenEndpoint(RealtimeTokens tokens, AuthConfig config, RealtimeUrls urls) {
    this.tokens = tokens;
    this.config = config;
    this.urls = urls;
  }

  public static void bind(Operations operations, RealtimeTokens tokens, AuthConfig config, RealtimeUrls urls) {
    RealtimeTokenEndpoint endpoint = new RealtimeTokenEndpoint(tokens, config, urls);
    operations.bind("getRealtimeToken", endpoint::issue);
  }

  private Future<?> issue(RoutingContext ctx) {
    RoomGrant grant = requested(Validated.queryString(ctx, "rooms"));
    Identity identity = Identity.of(ctx);
    long ttl = config.tokenTtl().toSeconds();
    String token = tokens.mint(identity.subject(), grant.patterns(), config.tokenTtl());
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

package studio.web.auth;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import studio.runtime.http.RealtimeAddress;
import studio.web.proxy.ExternalRequest;

/**
 * Where a page reaches the socket hub. {@code STUDIO_REALTIME_PUBLIC_URL} when set (e.g. a separate
 * realtime host); behind a trusted proxy, the same external origin and prefix as the page (the proxy
 * routes the realtime path to the hub); otherwise the hub's own port on the host the page used.
 */
public record RealtimeUrls(Optional<String> publicUrl, RealtimeAddress hub, boolean behindProxy) {
  public static final String PUBLIC_URL = "STUDIO_REALTIME_PUBLIC_URL";

  public JsonObject forRequest(RoutingContext ctx) {
    String base = base(ExternalRequest.of(ctx));
    String webSocketBase = base.replaceFirst("^http", "ws");
    return new JsonObject()
        .put("websocket", webSocketBase + "/ws")
        .put("sockjs", base + "/sockjs")
        .put("poll", base + "/poll");
  }

  private String base(ExternalRequest external) {
    if (publicUrl.isPresent()) {
      return publicUrl.get().replaceAll("/+$", "");
    }
    if (behindProxy) {
      return external.url(hub.path());
    }
    return external.scheme() + "://" + external.hostname() + ":" + hub.hubPort() + hub.path();
  }
}

package studio.web.auth;

import io.vertx.core.json.JsonObject;
import studio.web.api.Operations;
import studio.web.api.Replies;
import studio.web.proxy.ExternalRequest;

/**
 * {@code GET /api/v1/session}: who the caller is and the request as Studio sees it after proxy
 * trust (client address, scheme, host, prefix): the first thing to check when a proxy is set up.
 */
public final class SessionEndpoint {
  private SessionEndpoint() {
  }

  public static void bind(Operations operations) {
    operations.bind("getSession", ctx -> {
      ExternalRequest external = ExternalRequest.of(ctx);
      return Replies.ok(ctx, new JsonObject()
          .put("subject", Identity.of(ctx).subject())
          .put("client_address", external.clientAddress())
          .put("scheme", external.scheme())
          .put("host", external.authority())
          .put("prefix", external.prefix())
          .put("trusted_proxy", external.viaTrustedProxy())
          .put("base_url", external.url("/")));
    });
  }
}

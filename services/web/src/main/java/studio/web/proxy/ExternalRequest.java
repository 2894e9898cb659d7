package studio.web.proxy;

import io.vertx.ext.web.RoutingContext;

/**
 * The request as the browser made it, before any trusted proxy: scheme, authority ({@code host[:port]}),
 * path prefix the proxy mounted us under, and the client's address. Every URL, redirect and cookie
 * web hands out is built from this, never from the socket. {@code viaTrustedProxy}: the TCP peer is a
 * proxy web trusts ({@code STUDIO_PROXY_FIX_ENABLED} and {@code STUDIO_PROXY_TRUSTED_NETWORKS}), so the
 * headers it adds (forwarded values, the proxy-mode identity header) speak for the browser.
 */
public record ExternalRequest(String scheme, String authority, String prefix, String clientAddress,
                              boolean viaTrustedProxy) {
  static final String CONTEXT_KEY = "studio.external-request";

  /** The one set by {@link ForwardedHeaders} (the raw request when no handler ran, e.g. in a failure path). */
  public static ExternalRequest of(RoutingContext ctx) {
    ExternalRequest external = ctx.get(CONTEXT_KEY);
    return external != null ? external : ForwardedHeaders.direct(ctx);
  }

  public boolean secure() {
    return "https".equals(scheme);
  }

  public String origin() {
    return scheme + "://" + authority;
  }

  /** An absolute URL for a path of this application, e.g. {@code url("/app/")}. */
  public String url(String path) {
    return origin() + prefix + path;
  }

  /** The host without its port. */
  public String hostname() {
    if (authority.startsWith("[")) {
      return authority.substring(0, authority.indexOf(']') + 1);
    }
    int colon = authority.lastIndexOf(':');
    return colon < 0 ? authority : authority.substring(0, colon);
  }
}

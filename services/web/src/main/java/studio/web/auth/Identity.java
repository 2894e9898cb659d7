package studio.web.auth;

import io.vertx.ext.web.RoutingContext;

/** Who is calling, as established by {@link Authentication}. */
public record Identity(String subject) {
  static final String CONTEXT_KEY = "studio.identity";
  public static final Identity ANONYMOUS = new Identity("anonymous");

  public static Identity of(RoutingContext ctx) {
    Identity identity = ctx.get(CONTEXT_KEY);
    return identity != null ? identity : ANONYMOUS;
  }
}

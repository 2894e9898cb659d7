package studio.web.auth;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.http.OriginPolicy;
import studio.runtime.service.ErrorResponses;
import studio.web.proxy.ExternalRequest;

/**
 * Refuses (403) a state-changing request sent by a page of a foreign origin: with cookie sessions a
 * browser would otherwise attach the user's credentials to another site's forged POST. Same-origin
 * pages and the allowlisted origins pass; requests without an Origin header are not from a page.
 */
public record CrossOriginWrites(OriginPolicy origins) implements Handler<RoutingContext> {
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (SAFE.contains(ctx.request().method()) || origin == null
        || origin.equalsIgnoreCase(ExternalRequest.of(ctx).origin()) || origins.allows(origin)) {
      ctx.next();
      return;
    }
    ErrorResponses.send(ctx, new ContractException(ErrorCode.FORBIDDEN,
        "cross-origin " + ctx.request().method() + " from " + origin + " refused (not in STUDIO_CORS_ALLOWED_ORIGINS)"));
  }
}

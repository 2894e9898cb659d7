package studio.runtime.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.service.ErrorResponses;

/**
 * Which browser origins may open a realtime connection ({@code STUDIO_CORS_ALLOWED_ORIGINS}).
 * A request without an Origin header is not from a browser page (workers, tools) and is allowed;
 * browsers always send one.
 */
public record OriginPolicy(List<String> allowed) implements Handler<RoutingContext> {
  public OriginPolicy {
    allowed = allowed.stream().map(origin -> origin.toLowerCase(Locale.ROOT).replaceAll("/+$", "")).toList();
  }

  public boolean allowsAny() {
    return allowed.contains("*");
  }

  public boolean allows(String origin) {
    return origin == null || allowsAny() || allowed.contains(origin.toLowerCase(Locale.ROOT));
  }

  /** As a route handler in front of every realtime endpoint: 403 for a foreign origin, else on. */
  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (allows(origin)) {
      ctx.next();
    } else {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.FORBIDDEN, "origin " + origin + " is not allowed"));
    }
  }
}

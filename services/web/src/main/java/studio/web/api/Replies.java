package studio.web.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one way an API endpoint answers successfully. When the request carried an
 * {@code Idempotency-Key}, the answer is stored first, so a retry of the same request gets the same
 * answer instead of doing the work twice.
 */
public final class Replies {
  private Replies() {
  }

  public static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
    IdempotentRequest idempotent = IdempotentRequest.of(ctx);
    Future<Void> stored = idempotent == null ? Future.succeededFuture() : idempotent.complete(status, body);
    return stored.compose(done -> ctx.response().headWritten() || ctx.response().closed()
        // Answered already (504 at STUDIO_HTTP_REQUEST_TIMEOUT) or the client left: the stored answer is for its retry.
        ? Future.succeededFuture()
        : ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode()));
  }

  public static Future<Void> ok(RoutingContext ctx, JsonObject body) {
    return json(ctx, 200, body);
  }

  /** 202: the work was recorded and the owning service woken; progress arrives as events. */
  public static Future<Void> accepted(RoutingContext ctx, JsonObject body) {
    return json(ctx, 202, body);
  }

  public static Future<Void> created(RoutingContext ctx, JsonObject body) {
    return json(ctx, 201, body);
  }
}

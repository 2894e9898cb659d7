package studio.web.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/**
 * An endpoint's input as the contract validated it ({@link Operations}): types, ranges and required
 * fields are already checked; what a schema cannot say (a cycle, a duplicate key) is the endpoint's.
 */
public final class Validated {
  private Validated() {
  }

  /** The JSON object body; empty when the operation's optional body was left out. */
  public static JsonObject body(RoutingContext ctx) {
    RequestParameter body = request(ctx).getBody();
    return body == null || body.isNull() ? new JsonObject() : body.getJsonObject();
  }

  /** The {@code {id}} path parameter (a positive integer by the contract). */
  public static long id(RoutingContext ctx) {
    return request(ctx).getPathParameters().get("id").getLong();
  }

  /** An integer query parameter, or null when absent. */
  public static Long queryLong(RoutingContext ctx, String name) {
    RequestParameter value = request(ctx).getQuery().get(name);
    return value == null || value.isNull() ? null : value.getLong();
  }

  /** A string query parameter, or null when absent. */
  public static String queryString(RoutingContext ctx, String name) {
    RequestParameter value = request(ctx).getQuery().get(name);
    return value == null || value.isNull() ? null : value.getString();
  }

  private static ValidatedRequest request(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }
}

package studio.web.tasks;

import io.vertx.ext.web.RoutingContext;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/** Query parameters of the task endpoints, refused with 400 naming the parameter. */
public final class RequestParams {
  private RequestParams() {
  }

  public static long integer(RoutingContext ctx, String name, long defaultValue, long min, long max) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    try {
      long value = Long.parseLong(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException notANumber) {
      // falls through to the refusal below
    }
    throw new ContractException(ErrorCode.INVALID_REQUEST, name, "must be an integer " + min + "-" + max + ", got \"" + raw + "\"");
  }

  public static Long optionalInteger(RoutingContext ctx, String name, long min, long max) {
    String raw = ctx.request().getParam(name);
    return raw == null || raw.isBlank() ? null : integer(ctx, name, 0, min, max);
  }
}

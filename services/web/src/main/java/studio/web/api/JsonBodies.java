package studio.web.api;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/** Reads a request's JSON object body, refusing anything else with 415 or 400 and a reason. */
public final class JsonBodies {
  private JsonBodies() {
  }

  public static JsonObject require(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      throw new ContractException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "send the body as application/json (got " + (type == null ? "no Content-Type" : type) + ")");
    }
    if (ctx.body() == null || ctx.body().length() == 0) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "the request body is empty; expected a JSON object");
    }
    String text = ctx.body().asString().trim();
    if (!text.startsWith("{")) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "expected a JSON object body");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException malformed) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "the body is not valid JSON: " + malformed.getMessage());
    }
  }

  /** A path parameter that must be a positive integer id; anything else is 404, as no such entity exists. */
  public static long pathId(RoutingContext ctx, String name) {
    String raw = ctx.pathParam(name);
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException notANumber) {
      // falls through to the refusal below
    }
    throw new ContractException(ErrorCode.NOT_FOUND, name, "no such " + name + ": " + raw);
  }
}

package studio.runtime.service;

import io.vertx.ext.web.RoutingContext;
import studio.contract.error.ContractException;

/** The one way an HTTP endpoint answers with an error: the catalogue's status and JSON error shape. */
public final class ErrorResponses {
  private ErrorResponses() {
  }

  public static void send(RoutingContext ctx, ContractException error) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(error.code().httpStatus()).putHeader("Content-Type", "application/json")
          .end(error.toJson().encode());
    }
  }
}

package studio.runtime.http;

import io.vertx.ext.web.RoutingContext;

/**
 * The failure handler for a route whose body a {@code BodyHandler} reads and whose protocol has no
 * error shape of ours (Engine.IO, SockJS): a body past the limit is answered 413, as those protocols'
 * reference servers do, and a client that hung up mid-body is dropped. Both are the client's doing,
 * so neither reaches Vert.x's default handling, which logs "Unhandled exception in router" at ERROR.
 * Any other failure goes on to it (500, logged).
 */
public final class BodyRefusals {
  private BodyRefusals() {
  }

  public static void answer(RoutingContext ctx) {
    if (ctx.response().closed()) {
      return;
    }
    if (ctx.statusCode() == 413) {
      ctx.response().setStatusCode(413).end();
    } else {
      ctx.next();
    }
  }
}

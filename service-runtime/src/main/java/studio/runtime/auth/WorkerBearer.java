package studio.runtime.auth;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.service.ErrorResponses;

/**
 * {@code Authorization: Bearer <WORKER_SHARED_SECRET>}: how a caller with no user behind it (a worker
 * publishing events, a metrics scraper) proves it belongs to the deployment. As a route handler: on
 * when presented, else 401 with the one error shape.
 */
public final class WorkerBearer implements Handler<RoutingContext> {
  private final byte[] secret;

  public WorkerBearer(String workerSecret) {
    this.secret = workerSecret.getBytes(StandardCharsets.UTF_8);
  }

  /** Constant-time, so the secret cannot be guessed byte by byte from response times. */
  public boolean presentedBy(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    return MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (presentedBy(ctx.request())) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    ErrorResponses.send(ctx, new ContractException(ErrorCode.UNAUTHENTICATED,
        "Authorization: Bearer <WORKER_SHARED_SECRET> required"));
  }
}

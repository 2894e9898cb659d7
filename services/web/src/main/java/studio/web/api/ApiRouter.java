package studio.web.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.database.DatabaseFailures;
import studio.runtime.service.ErrorResponses;

/**
 * The {@code /api/v1} router, built from the contract ({@link Operations}): for every request, in
 * order, the gates (cross-site write refusal, CORS, authentication: an unauthenticated caller learns
 * nothing, not even whether its input was valid), the bounded body, {@code Idempotency-Key} on writes,
 * then the matched operation's validation against {@code docs/openapi.yaml} and its endpoint. One error
 * shape for every refusal, including the ones Vert.x raises itself (oversize body, unknown endpoint).
 */
public final class ApiRouter {
  public static final String PREFIX = "/api/v1";
  private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

  private ApiRouter() {
  }

  /**
   * {@code afterWrite} runs when a write (POST) succeeds. Web passes its outbox relay's
   * wake, so the events a write committed go out at once rather than at the relay's next poll.
   *
   * @throws IllegalStateException when an operation of the contract has no endpoint
   */
  public static Router create(Vertx vertx, Operations operations, List<Handler<RoutingContext>> gates, Pool pool,
      long bodyLimitBytes, Runnable afterWrite) {
    List<String> unbound = operations.unbound();
    if (!unbound.isEmpty()) {
      throw new IllegalStateException("operations of docs/openapi.yaml without an endpoint: " + unbound);
    }
    // One route per handler: Vert.x refuses a CORS or body handler after a plain one on the same route.
    Router api = Router.router(vertx);
    gates.forEach(gate -> api.route().handler(gate));
    api.route().handler(BodyHandler.create(false).setBodyLimit(bodyLimitBytes));
    api.post().handler(ctx -> {
      ctx.addBodyEndHandler(ended -> {
        if (ctx.response().getStatusCode() / 100 == 2) {
          afterWrite.run();
        }
      });
      ctx.next();
    });
    api.post().handler(new IdempotencyHandler(pool));
    api.route("/*").subRouter(operations.builder().createRouter());
    api.route().failureHandler(ApiRouter::fail);
    api.route().last().handler(ctx -> ErrorResponses.send(ctx, new ContractException(ErrorCode.NOT_FOUND,
        "no endpoint " + ctx.request().method() + " " + ctx.request().path())));
    return api;
  }

  /** Deletes expired Idempotency-Keys every hour (and once now); returns the timer id. */
  public static long expireIdempotencyKeysPeriodically(Vertx vertx, Pool pool) {
    Handler<Long> expire = tick -> IdempotencyHandler.expire(pool)
        .onFailure(failure -> LOG.warn("could not expire idempotency keys: {}", failure.getMessage()));
    expire.handle(0L);
    return vertx.setPeriodic(Duration.ofHours(1).toMillis(), expire);
  }

  /** A refusal raised by Vert.x itself (body limit, CORS, ...) in the catalogue's terms. */
  private static ContractException refusalFor(int status, Throwable failure) {
    String detail = failure == null || failure.getMessage() == null ? "" : ": " + failure.getMessage();
    return switch (status) {
      case 401 -> new ContractException(ErrorCode.UNAUTHENTICATED, "authentication required" + detail);
      case 403 -> new ContractException(ErrorCode.FORBIDDEN, "forbidden" + detail);
      case 404 -> new ContractException(ErrorCode.NOT_FOUND, "not found" + detail);
      case 413 -> new ContractException(ErrorCode.TOO_LARGE, "the request body exceeds the limit");
      case 415 -> new ContractException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported media type" + detail);
      default -> new ContractException(ErrorCode.INVALID_REQUEST, "malformed request" + detail);
    };
  }

  private static void fail(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpClosedException || ctx.response().closed()) {
      // The client hung up mid-request: nobody to answer, and nothing wrong here (RequestLog counts a 499).
      LOG.debug("{} {}: the client closed the connection before the answer", ctx.request().method(),
          ctx.request().path());
    } else if (ctx.response().headWritten()) {
      // Answered already (504 at STUDIO_HTTP_REQUEST_TIMEOUT); the work failed after that.
      LOG.warn("{} {} failed after its answer went out: {}", ctx.request().method(), ctx.request().path(),
          String.valueOf(failure));
    } else if (failure instanceof ContractException refused) {
      ErrorResponses.send(ctx, refused);
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      ErrorResponses.send(ctx, refusalFor(ctx.statusCode(), failure));
    } else if (DatabaseFailures.mayPassLater(failure)) {
      // The database is away (restarting, unreachable): the client's retry will do, no stack needed.
      LOG.warn("{} {}: database unavailable: {}", ctx.request().method(), ctx.request().path(), failure.toString());
      ctx.response().putHeader("Retry-After", "1");
      ErrorResponses.send(ctx, new ContractException(ErrorCode.UNAVAILABLE, "the database is unavailable; retry shortly"));
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      ErrorResponses.send(ctx, new ContractException(ErrorCode.INTERNAL,
          "internal error; the server log has the details"));
    }
  }
}

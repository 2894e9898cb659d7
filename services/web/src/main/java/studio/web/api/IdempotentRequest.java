package studio.web.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request that claimed its Idempotency-Key; its successful answer is stored for retries. The key is
 * let go when the request ends without one: when its endpoint ends, if it ran, else when the
 * connection does. A client that hangs up mid-request does not end an endpoint still at work: its
 * answer is stored when it comes, and the client's retry gets it.
 */
final class IdempotentRequest {
  private static final Logger LOG = LoggerFactory.getLogger(IdempotentRequest.class);
  static final String CONTEXT_KEY = "studio.idempotent-request";
  private final Pool pool;
  private final String scope;
  private final String key;
  private boolean completed;
  private boolean endpointRunning;
  private boolean released;

  IdempotentRequest(Pool pool, String scope, String key) {
    this.pool = pool;
    this.scope = scope;
    this.key = key;
  }

  Future<Void> complete(int status, JsonObject body) {
    if (status < 200 || status >= 300) {
      return Future.succeededFuture();
    }
    completed = true;
    return pool.preparedQuery("UPDATE idempotency_key SET status_code = $3, response = $4, completed_at = now() "
            + "WHERE scope = $1 AND key = $2")
        .execute(Tuple.of(scope, key, status, body))
        .mapEmpty();
  }

  /** Of the request in {@code ctx}; null when it carried no Idempotency-Key. */
  static IdempotentRequest of(RoutingContext ctx) {
    return ctx.get(CONTEXT_KEY);
  }

  void endpointStarted() {
    endpointRunning = true;
  }

  void endpointEnded() {
    endpointRunning = false;
    releaseUnlessCompleted();
  }

  void connectionEnded() {
    if (!endpointRunning) {
      releaseUnlessCompleted();
    }
  }

  /** A request that ended without a stored success releases its key, so the client's retry does the work. */
  private void releaseUnlessCompleted() {
    if (completed || released) {
      return;
    }
    released = true;
    pool.preparedQuery("DELETE FROM idempotency_key WHERE scope = $1 AND key = $2 AND response IS NULL")
        .execute(Tuple.of(scope, key))
        .onFailure(failure -> LOG.warn("could not release Idempotency-Key {} of {}: {}", key, scope, failure.getMessage()));
  }
}

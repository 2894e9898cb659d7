package studio.web.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/** A request that claimed its Idempotency-Key; its successful answer is stored for retries. */
final class IdempotentRequest {
  static final String CONTEXT_KEY = "studio.idempotent-request";
  private final Pool pool;
  private final String scope;
  private final String key;
  private boolean completed;

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

  /** A request that ended without a stored success releases its key, so the client's retry does the work. */
  Future<Void> releaseUnlessCompleted() {
    if (completed) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("DELETE FROM idempotency_key WHERE scope = $1 AND key = $2 AND response IS NULL")
        .execute(Tuple.of(scope, key))
        .mapEmpty();
  }
}

package studio.web.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Pattern;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.service.ErrorResponses;

/**
 * {@code Idempotency-Key} on write endpoints: the first request with a key claims it and runs; a
 * retry of the same request (same method, path and body) gets the stored answer with
 * {@code Idempotent-Replayed: true}; the same key with a different request, or while the first is
 * still running, is 409. Keys are kept for {@link #RETENTION}.
 */
public final class IdempotencyHandler implements Handler<RoutingContext> {
  public static final String HEADER = "Idempotency-Key";
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";
  public static final Duration RETENTION = Duration.ofHours(24);
  private static final Pattern VALID_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
  private final Pool pool;

  public IdempotencyHandler(Pool pool) {
    this.pool = pool;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String key = ctx.request().getHeader(HEADER);
    if (key == null) {
      ctx.next();
      return;
    }
    if (!VALID_KEY.matcher(key).matches()) {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.INVALID_REQUEST, HEADER,
          "must be 1-255 printable ASCII characters without spaces"));
      return;
    }
    String scope = ctx.request().method().name() + " " + ctx.normalizedPath();
    String fingerprint = fingerprint(scope, ctx.body() == null ? Buffer.buffer() : ctx.body().buffer());
    pool.preparedQuery("INSERT INTO idempotency_key (scope, key, fingerprint) VALUES ($1, $2, $3) "
            + "ON CONFLICT DO NOTHING RETURNING key")
        .execute(Tuple.of(scope, key, fingerprint))
        .compose(inserted -> inserted.size() == 1 ? claimed(ctx, scope, key) : replay(ctx, scope, key, fingerprint))
        .onFailure(ctx::fail);
  }

  /** Deletes keys older than the retention; any web instance may run it, it is idempotent. */
  public static Future<Integer> expire(Pool pool) {
    return pool.preparedQuery("DELETE FROM idempotency_key WHERE created_at < now() - make_interval(secs => $1)")
        .execute(Tuple.of((double) RETENTION.toSeconds()))
        .map(RowSet::rowCount);
  }

  private Future<Void> claimed(RoutingContext ctx, String scope, String key) {
    IdempotentRequest request = new IdempotentRequest(pool, scope, key);
    ctx.put(IdempotentRequest.CONTEXT_KEY, request);
    ctx.addEndHandler(ended -> request.connectionEnded());
    ctx.next();
    return Future.succeededFuture();
  }

  private Future<Void> replay(RoutingContext ctx, String scope, String key, String fingerprint) {
    return pool.preparedQuery("SELECT fingerprint, status_code, response FROM idempotency_key WHERE scope = $1 AND key = $2")
        .execute(Tuple.of(scope, key))
        .map(rows -> {
          if (rows.size() == 0) {
            // Released between our insert and this read: the first request failed, so this one may retry.
            throw new ContractException(ErrorCode.CONFLICT, HEADER, "the earlier request with this key just failed; retry");
          }
          Row row = rows.iterator().next();
          if (!fingerprint.equals(row.getString("fingerprint"))) {
            throw new ContractException(ErrorCode.CONFLICT, HEADER,
                "this key was already used for a different request; use a new key per distinct request");
          }
          if (row.getValue("response") == null) {
            throw new ContractException(ErrorCode.CONFLICT, HEADER,
                "a request with this key is still in progress; retry after it completes");
          }
          return row;
        })
        .compose(row -> ctx.response().setStatusCode(row.getInteger("status_code"))
            .putHeader("Content-Type", "application/json")
            .putHeader(REPLAYED_HEADER, "true")
            .end(((JsonObject) row.getValue("response")).encode()));
  }

  private static String fingerprint(String scope, Buffer body) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(scope.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) '\n');
      digest.update(body.getBytes());
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every JVM has SHA-256", impossible);
    }
  }
}

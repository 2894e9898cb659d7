package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;

/**
 * Transactions that PostgreSQL may abort to break a deadlock or a serialization conflict are simply
 * run again: the work inside is idempotent up to its commit. Callers that can wait longer (a runner
 * storing an outcome) ask {@link #mayPassLater} whether another try later is worth it.
 */
public final class Transactions {
  private static final int ATTEMPTS = 5;
  private static final java.util.Set<String> TRANSIENT_CLASSES = java.util.Set.of("08", "40", "53", "57", "58");

  private Transactions() {
  }

  public static <T> Future<T> run(Pool pool, Function<SqlConnection, Future<T>> work) {
    return attempt(pool, work, 1);
  }

  private static <T> Future<T> attempt(Pool pool, Function<SqlConnection, Future<T>> work, int attempt) {
    return pool.withTransaction(work).recover(failure -> attempt < ATTEMPTS && retryable(failure)
        ? attempt(pool, work, attempt + 1)
        : Future.failedFuture(failure));
  }

  private static boolean retryable(Throwable failure) {
    return failure instanceof PgException pg
        && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()));
  }

  /**
   * Whether a transaction that failed this way may succeed when run again later: the database was
   * unreachable, restarting, overloaded, or aborted it for a conflict or a lock timeout. Not when it
   * refused the work itself (bad data, a constraint, a contract refusal, a bug): that fails the same
   * way every time.
   */
  public static boolean mayPassLater(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      // 08 connection, 40 rollback, 53 resources, 57 operator intervention (shutdown, cancel), 58 system.
      return TRANSIENT_CLASSES.contains(state.length() < 2 ? "" : state.substring(0, 2)) || "55P03".equals(state);
    }
    // A connection refused, reset or closed, a pool or query timeout.
    return failure instanceof java.io.IOException || failure instanceof io.vertx.core.VertxException
        || failure instanceof java.util.concurrent.TimeoutException;
  }
}

package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;

/**
 * Transactions that PostgreSQL may abort to break a deadlock or a serialization conflict are simply
 * run again: the work inside is idempotent up to its commit. Callers that can wait longer (a runner
 * storing an outcome) ask {@link studio.runtime.database.DatabaseFailures#mayPassLater} whether
 * another try later is worth it.
 */
public final class Transactions {
  private static final int ATTEMPTS = 5;

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
}

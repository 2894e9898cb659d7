package studio.runtime.database;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/** Tells a database that is away (worth another try later) from one that refused the work itself. */
public final class DatabaseFailures {
  /** 08 connection, 40 rollback, 53 resources, 57 operator intervention (shutdown, cancel), 58 system. */
  private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "57", "58");
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private DatabaseFailures() {
  }

  /**
   * Whether work that failed this way may succeed when run again later: the database was
   * unreachable, restarting, overloaded, or aborted it for a conflict or a lock timeout. Not when it
   * refused the work itself (bad data, a constraint, a contract refusal, a bug): that fails the same
   * way every time.
   */
  public static boolean mayPassLater(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      return TRANSIENT_CLASSES.contains(state.length() < 2 ? "" : state.substring(0, 2)) || LOCK_NOT_AVAILABLE.equals(state);
    }
    // A connection refused, reset or closed, a pool or query timeout.
    return failure instanceof IOException || failure instanceof VertxException
        || failure instanceof TimeoutException;
  }
}

package studio.runtime.database;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reactive pool every service queries with, and the one schema migration step. */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private Database() {
  }

  /**
   * A lease on the process's one pool of {@code STUDIO_DATABASE_POOL_SIZE} connections to this
   * database: every verticle instance of every service in the same Vert.x that asks for it shares the
   * same connections (a Vert.x shared pool, named after the database so two databases never share).
   * Closing the lease releases it; the connections close with the last lease.
   */
  public static Pool pool(Vertx vertx, DatabaseConfig config) {
    PgConnectOptions target = config.connectOptions();
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.poolSize()).setShared(true).setName(poolName(target)))
        .with(new NetClientOptions().setConnectTimeout((int) config.connectTimeout().toMillis()))
        .connectingTo(target)
        .using(vertx)
        .build();
  }

  private static String poolName(PgConnectOptions target) {
    return "studio-pg " + target.getUser() + "@" + target.getHost() + ":" + target.getPort() + "/" + target.getDatabase();
  }

  /**
   * Applies {@code db/migration} with Flyway. Flyway is JDBC, hence a worker thread; its PostgreSQL
   * advisory lock makes replicas that start together apply each migration once, and its connect
   * retries (with backoff) ride out a database that is still starting.
   */
  public static Future<Integer> migrate(Vertx vertx, DatabaseConfig config) {
    return vertx.executeBlocking(() -> {
      MigrateResult result = Flyway.configure()
          .dataSource(config.dataSource())
          .locations("classpath:db/migration")
          .connectRetries(config.connectRetries())
          .connectRetriesInterval(10)
          .load()
          .migrate();
      LOG.info("database schema at version {} ({} migrations applied now)", result.targetSchemaVersion,
          result.migrationsExecuted);
      return result.migrationsExecuted;
    }, false);
  }
}

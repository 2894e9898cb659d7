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

  public static Pool pool(Vertx vertx, DatabaseConfig config) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.poolSize()).setName("studio-pg"))
        .with(new NetClientOptions().setConnectTimeout((int) config.connectTimeout().toMillis()))
        .connectingTo(config.connectOptions())
        .using(vertx)
        .build();
  }

  /**
   * Applies {@code db/migration} with Flyway. Flyway is JDBC, hence a worker thread; its PostgreSQL
   * advisory lock makes replicas that start together apply each migration once, and its connect
   * retries (with backoff) ride out a database that is still starting.
   */
  public static Future<Integer> migrate(Vertx vertx, DatabaseConfig config) {
    return vertx.executeBlocking(() -> {
      PgConnectOptions options = config.connectOptions();
      String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
      MigrateResult result = Flyway.configure()
          .dataSource(jdbcUrl, options.getUser(), options.getPassword())
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

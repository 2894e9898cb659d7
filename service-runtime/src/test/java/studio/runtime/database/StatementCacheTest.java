package studio.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.config.Settings;
import studio.runtime.config.StudioEnvironment;

/** What PostgreSQL holds for a pool connection that ran the same query twice, with and without the cache. */
@ExtendWith(VertxExtension.class)
class StatementCacheTest {
  private static final String QUERY = "SELECT $1::int + 1 AS next";
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  /** Runs QUERY twice on one connection, then counts the statements that connection keeps prepared. */
  private static long preparedAfterTwoRuns(Vertx vertx, Map<String, String> knobs) throws Exception {
    Map<String, String> settings = new HashMap<>(knobs);
    settings.put(DatabaseConfig.URL, "postgresql://postgres@localhost:" + postgres.getPort() + "/postgres");
    Pool pool = Database.pool(vertx, DatabaseConfig.from(Settings.of(settings), StudioEnvironment.DEVELOPMENT));
    try {
      return await(pool.withConnection(connection -> connection.preparedQuery(QUERY).execute(Tuple.of(1))
          .compose(first -> connection.preparedQuery(QUERY).execute(Tuple.of(2)))
          .compose(second -> connection.query("SELECT count(*) AS kept FROM pg_prepared_statements "
              + "WHERE statement = '" + QUERY + "'").execute())
          .map(rows -> rows.iterator().next().getLong("kept"))));
    } finally {
      await(pool.close());
    }
  }

  @Test
  @DisplayName("by default a connection prepares a query once and keeps it for the next run")
  void keptByDefault(Vertx vertx) throws Exception {
    assertThat(preparedAfterTwoRuns(vertx, Map.of())).isEqualTo(1);
  }

  @Test
  @DisplayName("STUDIO_DATABASE_STATEMENT_CACHE=false (PgBouncer in transaction mode): nothing stays prepared")
  void offForPoolers(Vertx vertx) throws Exception {
    assertThat(preparedAfterTwoRuns(vertx, Map.of(DatabaseConfig.STATEMENT_CACHE, "false"))).isZero();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}

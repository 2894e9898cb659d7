package studio.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * DATABASE_URL's TLS settings reach both PostgreSQL clients, the reactive pool and Flyway's JDBC,
 * against a server that accepts TLS connections only ({@code hostssl} lines, no {@code host}).
 */
@ExtendWith(VertxExtension.class)
class DatabaseTlsTest {
  @TempDir
  static Path directory;
  private static EmbeddedPostgres postgres;
  private static SelfSignedCertificate server;
  private static SelfSignedCertificate stranger;

  @BeforeAll
  static void startTlsOnlyPostgres() throws Exception {
    server = SelfSignedCertificate.create(directory, "server");
    stranger = SelfSignedCertificate.create(directory, "stranger");
    Path hba = Files.writeString(directory.resolve("pg_hba.conf"),
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n");
    postgres = EmbeddedPostgres.builder()
        .setServerConfig("ssl", "on")
        .setServerConfig("ssl_cert_file", server.certificate().toString())
        .setServerConfig("ssl_key_file", server.privateKey().toString())
        .setServerConfig("hba_file", hba.toString())
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  private static DatabaseConfig database(String query) {
    return new DatabaseConfig("postgresql://postgres@localhost:" + postgres.getPort() + "/postgres?" + query,
        null, 2, Duration.ofSeconds(5), 0);
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Whether the pool's connection is encrypted, as PostgreSQL sees it. */
  private static boolean poolConnectionEncrypted(Vertx vertx, DatabaseConfig config) throws Exception {
    Pool pool = Database.pool(vertx, config);
    try {
      return await(pool.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").execute())
          .iterator().next().getBoolean("ssl");
    } finally {
      await(pool.close());
    }
  }

  @Test
  @DisplayName("verify-full with the server's root certificate: migrations and pool queries run, encrypted")
  void verifyFull(Vertx vertx) throws Exception {
    DatabaseConfig config = database("sslmode=verify-full&sslrootcert=" + server.certificate());
    await(Database.migrate(vertx, config));
    assertThat(poolConnectionEncrypted(vertx, config)).isTrue();
  }

  @Test
  @DisplayName("verify-full with a root certificate that did not sign the server's: Flyway and the pool both refuse the server")
  void verifyFullRefusesAnUnknownServer(Vertx vertx) {
    DatabaseConfig config = database("sslmode=verify-full&sslrootcert=" + stranger.certificate());
    assertThatThrownBy(() -> await(Database.migrate(vertx, config))).hasStackTraceContaining("SSL");
    assertThatThrownBy(() -> poolConnectionEncrypted(vertx, config)).isNotNull();
  }

  @Test
  @DisplayName("require without a root certificate: both clients connect, encrypted, without checking the certificate")
  void requireEncrypts(Vertx vertx) throws Exception {
    DatabaseConfig config = database("sslmode=require");
    await(Database.migrate(vertx, config));
    assertThat(poolConnectionEncrypted(vertx, config)).isTrue();
  }

  @Test
  @DisplayName("sslmode=disable: the TLS-only server refuses Flyway and the pool alike")
  void plainIsRefused(Vertx vertx) {
    DatabaseConfig config = database("sslmode=disable");
    assertThatThrownBy(() -> await(Database.migrate(vertx, config))).hasStackTraceContaining("no encryption");
    assertThatThrownBy(() -> poolConnectionEncrypted(vertx, config)).hasStackTraceContaining("no encryption");
  }
}

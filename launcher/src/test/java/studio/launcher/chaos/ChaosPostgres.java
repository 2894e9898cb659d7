package studio.launcher.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import studio.embedded.EmbeddedPostgresServer;

/**
 * A real PostgreSQL server (the embedded one) on its own data directory and port, restartable: a
 * restart stops it (every connection is cut, queries fail until it is back) and starts it again on
 * the same directory and port, so the data and the URL the services hold stay the same.
 */
final class ChaosPostgres implements AutoCloseable {
  private final Path dataDirectory;
  private final int port;
  private EmbeddedPostgresServer server;

  private ChaosPostgres(Path dataDirectory, int port) {
    this.dataDirectory = dataDirectory;
    this.port = port;
  }

  static ChaosPostgres start(Path dataDirectory) throws IOException {
    ChaosPostgres postgres = new ChaosPostgres(dataDirectory, FreePort.next());
    postgres.server = EmbeddedPostgresServer.start(dataDirectory, postgres.port);
    return postgres;
  }

  String url() {
    return server.url();
  }

  /** A plain JDBC connection to the studio database, for the test's own checks. */
  Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + EmbeddedPostgresServer.DATABASE,
        "postgres", "");
  }

  /** Stops the server and starts it again on the same data directory and port. */
  void restart() throws IOException {
    server.close();
    server = EmbeddedPostgresServer.start(dataDirectory, port);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

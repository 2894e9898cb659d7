package studio.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL 14 server run from the binaries zonky ships in a Maven jar, so a fresh machine
 * needs nothing installed. Blocking: call from a worker thread or before Vert.x starts.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  public static final String DATABASE = "studio";
  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts PostgreSQL; with a data directory the data survives restarts, without one it lives in a
   * temporary directory removed on close. Port 0 picks a free port.
   */
  public static EmbeddedPostgresServer start(Path dataDirectory, int port) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(port);
    if (dataDirectory != null) {
      Files.createDirectories(dataDirectory);
      builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
    }
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start());
    server.createStudioDatabase();
    return server;
  }

  public int port() {
    return postgres.getPort();
  }

  /** A {@code postgresql://} URL for the studio database (trust auth on loopback, user postgres). */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port() + "/" + DATABASE;
  }

  private void createStudioDatabase() throws IOException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
         Statement statement = connection.createStatement()) {
      try (ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (exists.next()) {
          return;
        }
      }
      statement.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new IOException("could not create database " + DATABASE + " on embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}

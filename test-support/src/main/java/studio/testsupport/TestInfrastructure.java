package studio.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import studio.embedded.EmbeddedPostgresServer;
import studio.embedded.EmbeddedRedisServer;

/**
 * Real PostgreSQL and Redis for integration tests, started at most once per test JVM and stopped
 * when it exits. {@code STUDIO_TEST_DATABASE_URL} / {@code STUDIO_TEST_REDIS_URL} point the tests at
 * external servers instead.
 */
public final class TestInfrastructure {
  private static String databaseUrl;
  private static String redisUrl;

  private TestInfrastructure() {
  }

  public static synchronized String databaseUrl() {
    if (databaseUrl == null) {
      databaseUrl = external("STUDIO_TEST_DATABASE_URL");
    }
    if (databaseUrl == null) {
      databaseUrl = startOnce(() -> EmbeddedPostgresServer.start(null, 0)).url();
    }
    return databaseUrl;
  }

  public static synchronized String redisUrl() {
    if (redisUrl == null) {
      redisUrl = external("STUDIO_TEST_REDIS_URL");
    }
    if (redisUrl == null) {
      redisUrl = startOnce(() -> EmbeddedRedisServer.start(null, 0)).url();
    }
    return redisUrl;
  }

  private static String external(String variable) {
    String value = System.getenv(variable);
    return value == null || value.isBlank() ? null : value;
  }

  private interface Starter<T extends AutoCloseable> {
    T start() throws IOException;
  }

  private static <T extends AutoCloseable> T startOnce(Starter<T> starter) {
    try {
      T server = starter.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.close();
        } catch (Exception e) {
          System.err.println("could not stop embedded test server: " + e.getMessage());
        }
      }));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded test infrastructure", e);
    }
  }
}

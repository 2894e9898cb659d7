package studio.launcher;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.embedded.EmbeddedPostgresServer;
import studio.embedded.EmbeddedRedisServer;
import studio.runtime.config.CommonConfig;

/**
 * Development default: when {@code DATABASE_URL} / {@code REDIS_URL} are unset, real PostgreSQL and
 * Redis servers run from Maven-shipped binaries, with data under {@code STUDIO_DATA_DIR} so state
 * survives a restart. Production config never gets here (it requires both URLs).
 */
final class EmbeddedInfrastructure implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedInfrastructure.class);
  private EmbeddedPostgresServer postgres;
  private EmbeddedRedisServer redis;

  /** Blocking: starts whichever servers the config lacks a URL for and the services need. */
  static EmbeddedInfrastructure startMissing(CommonConfig config, boolean needPostgres, boolean needRedis)
      throws IOException {
    EmbeddedInfrastructure infrastructure = new EmbeddedInfrastructure();
    try {
      Path data = config.dataDirectory();
      if (needPostgres && config.database().url() == null) {
        infrastructure.postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), 0);
        LOG.info("embedded PostgreSQL on port {} (data in {})", infrastructure.postgres.port(), data.resolve("postgres"));
      }
      if (needRedis && config.redis().url() == null) {
        infrastructure.redis = EmbeddedRedisServer.start(data.resolve("redis"), 0);
        LOG.info("embedded Redis on port {} (data in {})", infrastructure.redis.port(), data.resolve("redis"));
      }
      return infrastructure;
    } catch (IOException | RuntimeException e) {
      infrastructure.close();
      throw e;
    }
  }

  CommonConfig resolve(CommonConfig config) {
    return config.withInfrastructure(
        postgres != null ? postgres.url() : config.database().url(),
        redis != null ? redis.url() : config.redis().url());
  }

  @Override
  public void close() {
    if (redis != null) {
      closeQuietly("Redis", redis);
    }
    if (postgres != null) {
      closeQuietly("PostgreSQL", postgres);
    }
  }

  private static void closeQuietly(String what, AutoCloseable server) {
    try {
      server.close();
    } catch (Exception e) {
      LOG.warn("could not stop embedded {}: {}", what, e.getMessage());
    }
  }
}

package studio.runtime.config;

import java.nio.file.Path;
import java.time.Duration;
import studio.runtime.cluster.ClusterConfig;
import java.util.List;
import studio.runtime.database.DatabaseConfig;
import studio.runtime.http.RealtimeAddress;
import studio.runtime.http.TlsConfig;
import studio.runtime.logging.LogConfig;
import studio.runtime.redis.RedisConfig;

/** Knobs every service shares. Each service adds its own record beside this one. */
public record CommonConfig(
    StudioEnvironment env,
    Secrets secrets,
    DatabaseConfig database,
    RedisConfig redis,
    ClusterConfig cluster,
    LogConfig log,
    String httpHost,
    Duration gracefulTimeout,
    Path dataDirectory,
    Duration outboxPollInterval,
    List<String> allowedOrigins,
    TlsConfig tls,
    RealtimeAddress realtime,
    int workerPoolSize) {

  public static final String ENV = "STUDIO_ENV";
  public static final String HTTP_HOST = "STUDIO_HTTP_HOST";
  public static final String GRACEFUL_TIMEOUT = "STUDIO_GRACEFUL_TIMEOUT";
  public static final String DATA_DIR = "STUDIO_DATA_DIR";
  public static final String OUTBOX_POLL_INTERVAL = "STUDIO_OUTBOX_POLL_INTERVAL";
  /** Browser origins allowed to call the API and open realtime connections; {@code *} (the default) allows any. */
  /** Threads for blocking work (JDBC migrations, file IO, processes); Gunicorn's threads. */
  public static final String WORKER_POOL_SIZE = "STUDIO_WORKER_POOL_SIZE";
  public static final String CORS_ALLOWED_ORIGINS = "STUDIO_CORS_ALLOWED_ORIGINS";

  public static CommonConfig from(Settings settings, boolean clusterFlag) {
    StudioEnvironment env = settings.oneOf(ENV, StudioEnvironment.DEVELOPMENT, StudioEnvironment.class);
    ClusterConfig cluster = ClusterConfig.from(settings, clusterFlag);
    return new CommonConfig(env,
        Secrets.from(settings, env, cluster.enabled()),
        DatabaseConfig.from(settings, env),
        RedisConfig.from(settings, env),
        cluster,
        LogConfig.from(settings),
        settings.string(HTTP_HOST, "0.0.0.0"),
        settings.duration(GRACEFUL_TIMEOUT, Duration.ofSeconds(30)),
        dataDirectory(settings),
        settings.duration(OUTBOX_POLL_INTERVAL, Duration.ofMillis(500)),
        allowedOrigins(settings),
        TlsConfig.from(settings),
        RealtimeAddress.from(settings),
        settings.intAtLeast(WORKER_POOL_SIZE, 20, 1));
  }

  public CommonConfig withInfrastructure(String databaseUrl, String redisUrl) {
    return new CommonConfig(env, secrets, database.withUrl(databaseUrl), redis.withUrl(redisUrl), cluster, log,
        httpHost, gracefulTimeout, dataDirectory, outboxPollInterval, allowedOrigins, tls, realtime, workerPoolSize);
  }

  /** Where local state lives; services default their own directories under it. */
  public static Path dataDirectory(Settings settings) {
    return Path.of(settings.string(DATA_DIR, ".studio"));
  }

  public boolean allowsAnyOrigin() {
    return allowedOrigins.contains("*");
  }

  private static List<String> allowedOrigins(Settings settings) {
    List<String> origins = settings.list(CORS_ALLOWED_ORIGINS);
    return origins.isEmpty() ? List.of("*") : origins;
  }
}

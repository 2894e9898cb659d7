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
    int workerPoolSize,
    boolean nativeTransport) {

  public static final String ENV = StudioEnvironment.KNOB;
  public static final String HTTP_HOST = "STUDIO_HTTP_HOST";
  public static final String GRACEFUL_TIMEOUT = "STUDIO_GRACEFUL_TIMEOUT";
  public static final String DATA_DIR = "STUDIO_DATA_DIR";
  public static final String OUTBOX_POLL_INTERVAL = "STUDIO_OUTBOX_POLL_INTERVAL";
  /** Threads for blocking work (JDBC migrations, file IO, processes); Gunicorn's threads. */
  public static final String WORKER_POOL_SIZE = "STUDIO_WORKER_POOL_SIZE";
  /**
   * Netty's epoll transport instead of Java NIO where the platform has it (Linux x86_64 and aarch64;
   * elsewhere NIO regardless): less hub CPU per delivery in {@code scripts/bench fanout}
   * (docs/benchmarks.md "Netty's epoll transport, measured after the JIT").
   */
  public static final String NATIVE_TRANSPORT = "STUDIO_NATIVE_TRANSPORT";
  /**
   * Browser origins allowed to call the API and open realtime connections; {@code *} (the development
   * default) allows any, which production refuses.
   */
  public static final String CORS_ALLOWED_ORIGINS = "STUDIO_CORS_ALLOWED_ORIGINS";

  public static CommonConfig from(Settings settings, boolean clusterFlag) {
    StudioEnvironment env = StudioEnvironment.from(settings);
    ClusterConfig cluster = ClusterConfig.from(settings, clusterFlag);
    return new CommonConfig(env,
        Secrets.from(settings, env, cluster.enabled()),
        DatabaseConfig.from(settings, env),
        RedisConfig.from(settings, env),
        cluster,
        LogConfig.from(settings),
        // Development is open by design (no sign-in), so only this machine may reach it by default.
        settings.string(HTTP_HOST, env == StudioEnvironment.PRODUCTION ? "0.0.0.0" : "127.0.0.1"),
        settings.duration(GRACEFUL_TIMEOUT, Duration.ofSeconds(30)),
        dataDirectory(settings),
        settings.duration(OUTBOX_POLL_INTERVAL, Duration.ofMillis(500)),
        allowedOrigins(settings, env),
        TlsConfig.from(settings),
        RealtimeAddress.from(settings),
        settings.intAtLeast(WORKER_POOL_SIZE, 20, 1),
        settings.bool(NATIVE_TRANSPORT, true));
  }

  public CommonConfig withInfrastructure(String databaseUrl, String redisUrl) {
    return new CommonConfig(env, secrets, database.withUrl(databaseUrl), redis.withUrl(redisUrl), cluster, log,
        httpHost, gracefulTimeout, dataDirectory, outboxPollInterval, allowedOrigins, tls, realtime, workerPoolSize,
        nativeTransport);
  }

  /** Where local state lives; services default their own directories under it. */
  public static Path dataDirectory(Settings settings) {
    return Path.of(settings.string(DATA_DIR, ".studio"));
  }

  /** Production names its origins: with {@code *} any website could drive the API and the hub as its visitor. */
  private static List<String> allowedOrigins(Settings settings, StudioEnvironment env) {
    List<String> origins = settings.list(CORS_ALLOWED_ORIGINS);
    if (env == StudioEnvironment.PRODUCTION) {
      String origin = "the public origin(s) browsers use, comma-separated, e.g. https://studio.example.com";
      if (origins.isEmpty()) {
        throw ConfigException.missing(CORS_ALLOWED_ORIGINS, "STUDIO_ENV=production needs " + origin
            + " (the default * lets any website call the API and open realtime connections)");
      }
      if (origins.contains("*")) {
        throw ConfigException.invalid(CORS_ALLOWED_ORIGINS, settings.string(CORS_ALLOWED_ORIGINS, ""), origin
            + "; STUDIO_ENV=production refuses *, which lets any website call the API and open realtime connections");
      }
    }
    return origins.isEmpty() ? List.of("*") : origins;
  }
}

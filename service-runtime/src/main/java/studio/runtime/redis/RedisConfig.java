package studio.runtime.redis;

import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.runtime.config.StudioEnvironment;

/**
 * Redis connection settings; a null url in development means "start embedded Redis". The url is
 * checked here (through {@link RedisUrl}) so a bad one stops the process at start, naming REDIS_URL.
 *
 * @param tlsCaFile PEM certificates (a private CA) trusted for {@code rediss://} instead of the JVM trust store, or null
 */
public record RedisConfig(String url, int poolSize, String tlsCaFile) {
  public static final String URL = "REDIS_URL";
  public static final String POOL_SIZE = "STUDIO_REDIS_POOL_SIZE";
  public static final String TLS_CA_FILE = "STUDIO_REDIS_TLS_CA_FILE";

  public RedisConfig(String url, int poolSize) {
    this(url, poolSize, null);
  }

  public static RedisConfig from(Settings settings, StudioEnvironment env) {
    String url = settings.optional(URL).orElse(null);
    if (url != null) {
      RedisUrl.parse(url);
    }
    if (url == null && env == StudioEnvironment.PRODUCTION) {
      throw new ConfigException("missing config " + URL
          + ": required when STUDIO_ENV=production (embedded Redis is for development)");
    }
    return new RedisConfig(url, settings.intAtLeast(POOL_SIZE, 16, 1), settings.optional(TLS_CA_FILE).orElse(null));
  }

  public RedisConfig withUrl(String newUrl) {
    return new RedisConfig(newUrl, poolSize, tlsCaFile);
  }
}

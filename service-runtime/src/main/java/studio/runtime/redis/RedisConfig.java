package studio.runtime.redis;

import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.runtime.config.StudioEnvironment;

/** Redis connection settings; a null url in development means "start embedded Redis". */
public record RedisConfig(String url, int poolSize) {
  public static final String URL = "REDIS_URL";
  public static final String POOL_SIZE = "STUDIO_REDIS_POOL_SIZE";

  public static RedisConfig from(Settings settings, StudioEnvironment env) {
    String url = settings.optional(URL).orElse(null);
    if (url != null && !(url.startsWith("redis://") || url.startsWith("rediss://") || url.startsWith("unix://"))) {
      throw new ConfigException("invalid config " + URL + "=\"" + url.replaceAll(":[^:@/]*@", ":***@")
          + "\": expected redis://[:password@]host[:port][/db] or rediss://...");
    }
    if (url == null && env == StudioEnvironment.PRODUCTION) {
      throw new ConfigException("missing config " + URL
          + ": required when STUDIO_ENV=production (embedded Redis is for development)");
    }
    return new RedisConfig(url, settings.intAtLeast(POOL_SIZE, 16, 1));
  }

  public RedisConfig withUrl(String newUrl) {
    return new RedisConfig(newUrl, poolSize);
  }
}

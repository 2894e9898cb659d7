package studio.runtime.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/** The pooled Redis client services issue commands with; each command borrows a connection. */
public final class RedisConnector {
  private RedisConnector() {
  }

  public static Redis client(Vertx vertx, RedisConfig config) {
    return Redis.createClient(vertx, options(config));
  }

  public static RedisOptions options(RedisConfig config) {
    if (config.url() == null) {
      throw new IllegalStateException(RedisConfig.URL + " is not resolved yet");
    }
    return new RedisOptions()
        .setType(RedisClientType.STANDALONE)
        .setConnectionString(config.url())
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(1024)
        .setMaxWaitingHandlers(4096);
  }
}

package studio.runtime.redis;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.ArrayList;
import java.util.List;

/** The pooled Redis client services issue commands with; each command borrows a connection. */
public final class RedisConnector {
  private RedisConnector() {
  }

  public static Redis client(Vertx vertx, RedisConfig config) {
    return Redis.createClient(vertx, options(config));
  }

  /** A client for one node of the Cluster REDIS_URL names ({@code host:port}), with its credentials and TLS. */
  public static Redis nodeClient(Vertx vertx, RedisConfig config, String hostPort) {
    RedisOptions options = options(config).setType(RedisClientType.STANDALONE).setMaxPoolSize(1);
    options.setEndpoints(new ArrayList<>(List.of((RedisUrl.parse(config.url()).tls() ? "rediss://" : "redis://") + hostPort)));
    return Redis.createClient(vertx, options);
  }

  /** Options for the topology REDIS_URL names: one node, a Sentinel-watched master, or a Cluster. */
  public static RedisOptions options(RedisConfig config) {
    if (config.url() == null) {
      throw new IllegalStateException(RedisConfig.URL + " is not resolved yet");
    }
    RedisUrl url = RedisUrl.parse(config.url());
    RedisOptions options = new RedisOptions()
        .setType(url.type())
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(1024)
        .setMaxWaitingHandlers(4096);
    url.endpoints().forEach(options::addConnectionString);
    if (url.masterName() != null) {
      // Writes go to the master Sentinel names, and follow it when Sentinel promotes a replica.
      options.setMasterName(url.masterName()).setRole(RedisRole.MASTER).setAutoFailover(true);
    }
    if (url.password() != null) {
      options.setPassword(url.password());
    }
    if (url.user() != null) {
      options.setUser(url.user());
    }
    if (url.tls()) {
      // Verify the server's name as HTTPS does; the JVM's trust store plus an optional private CA.
      options.getNetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
      if (config.tlsCaFile() != null) {
        options.getNetClientOptions().setTrustOptions(new PemTrustOptions().addCertPath(config.tlsCaFile()));
      }
    }
    return options;
  }
}

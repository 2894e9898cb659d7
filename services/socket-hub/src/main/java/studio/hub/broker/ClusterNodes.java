package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;

/**
 * Connections to one named Cluster node (host:port), with REDIS_URL's credentials and TLS: sharded
 * pub/sub must reach the master owning a channel's slot, which the cluster client does not expose.
 */
final class ClusterNodes {
  private final Vertx vertx;
  private final RedisConfig config;
  private final Map<String, Redis> clients = new HashMap<>();

  ClusterNodes(Vertx vertx, RedisConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  Future<RedisConnection> connect(String hostPort) {
    return clients.computeIfAbsent(hostPort, node -> RedisConnector.nodeClient(vertx, config, node)).connect();
  }

  Future<Void> close() {
    Future<?>[] closing = clients.values().stream().map(Redis::close).toArray(Future[]::new);
    clients.clear();
    return Future.join(List.of(closing)).mapEmpty();
  }
}

package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import studio.contract.room.RoomKey;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;

/** Keeps this replica subscribed in Redis to exactly the rooms it has local subscribers for. */
interface RoomSubscriber {
  Future<Void> subscribe(RoomKey room);

  Future<Void> unsubscribe(RoomKey room);

  void listener(BrokerListener listener);

  Future<Void> close();

  /** Drops the pub/sub link(s) as a network fault would. */
  void dropConnection();

  /**
   * The pub/sub link for REDIS_URL's topology, on Redis clients of its own that it closes with itself:
   * on one Redis (or Sentinel) one connection, on a Cluster one connection per shard.
   */
  static RoomSubscriber forTopology(Vertx vertx, RedisConfig config) {
    return RedisBroker.Topology.of(config) == RedisBroker.Topology.CLUSTER ? new ShardedSubscriber(vertx, config)
        : new RedisSubscriber(vertx, Redis.createClient(vertx, RedisConnector.options(config)));
  }
}

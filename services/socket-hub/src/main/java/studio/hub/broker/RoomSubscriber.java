package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import java.util.function.Supplier;
import studio.contract.room.RoomKey;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;
import studio.runtime.redis.RedisUrl;

/** Keeps this replica subscribed in Redis to exactly the rooms it has local subscribers for. */
interface RoomSubscriber {
  Future<Void> subscribe(RoomKey room);

  Future<Void> unsubscribe(RoomKey room);

  void listener(BrokerListener listener);

  Future<Void> close();

  /** Drops the pub/sub link(s) as a network fault would. */
  void dropConnection();

  /**
   * The pub/sub link for REDIS_URL's topology, with Redis clients of its own that it closes with
   * itself: on one Redis (or Sentinel) one connection, on a Cluster one connection per shard.
   */
  static RoomSubscriber forTopology(Vertx vertx, RedisConfig config) {
    if (RedisUrl.parse(config.url()).type() != RedisClientType.CLUSTER) {
      Redis connections = Redis.createClient(vertx, RedisConnector.options(config));
      RedisSubscriber link = new RedisSubscriber(vertx, connections::connect);
      return new ClosingWith(link, () -> connections.close());
    }
    Redis commandClient = RedisConnector.client(vertx, config);
    PipelinedConnection commands = new PipelinedConnection(commandClient);
    ClusterNodes nodes = new ClusterNodes(vertx, config);
    ShardedSubscriber link = new ShardedSubscriber(vertx, commands, nodes::connect);
    return new ClosingWith(link, () -> commands.close().eventually(commandClient::close).eventually(nodes::close));
  }

  /** A link that releases its clients once it is closed. */
  record ClosingWith(RoomSubscriber link, Supplier<Future<?>> release) implements RoomSubscriber {
    @Override
    public Future<Void> subscribe(RoomKey room) {
      return link.subscribe(room);
    }

    @Override
    public Future<Void> unsubscribe(RoomKey room) {
      return link.unsubscribe(room);
    }

    @Override
    public void listener(BrokerListener listener) {
      link.listener(listener);
    }

    @Override
    public Future<Void> close() {
      return link.close().eventually(release::get).mapEmpty();
    }

    @Override
    public void dropConnection() {
      link.dropConnection();
    }
  }
}

package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import studio.contract.room.RoomKey;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;

/**
 * Sharded pub/sub on a Redis Cluster (SSUBSCRIBE, Redis 7): a room's frames are published (SPUBLISH)
 * only on the shard that owns its slot, so fan-out grows with shards instead of crossing every node.
 * One {@link RedisSubscriber} per shard, each with its own connection to that shard's master; a shard
 * is named by the first slot of its range, which a failover does not move. When a shard's link drops,
 * that subscriber alone reconnects (backoff), asking the Cluster again which node now masters its
 * slots (the promoted replica after a failover), and resubscribes its rooms.
 */
final class ShardedSubscriber implements RoomSubscriber {
  private record SlotRange(int start, int end, String master) {
  }

  private final Vertx vertx;
  /** Asks the Cluster which node masters a slot; a client of this subscriber's own, closed with it. */
  private final Redis commandClient;
  private final PipelinedConnection commands;
  private final ClusterNodes nodes;
  private final Map<Integer, RedisSubscriber> shards = new HashMap<>();
  /** Each room's shard, as a future so an unsubscribe queues behind a subscribe still looking it up. */
  private final Map<RoomKey, Future<RedisSubscriber>> rooms = new HashMap<>();
  private BrokerListener listener;

  ShardedSubscriber(Vertx vertx, RedisConfig config) {
    this.vertx = vertx;
    this.commandClient = RedisConnector.client(vertx, config);
    this.commands = new PipelinedConnection(commandClient);
    this.nodes = new ClusterNodes(vertx, config);
  }

  @Override
  public Future<Void> subscribe(RoomKey room) {
    Future<RedisSubscriber> shard = rooms.computeIfAbsent(room, ignored -> shardOf(HashSlot.of(RedisKeys.channel(room))));
    // A failed lookup (the Cluster unreachable) is not kept: the next subscribe asks again.
    shard.onFailure(failure -> rooms.remove(room, shard));
    return shard.compose(subscriber -> subscriber.subscribe(room));
  }

  @Override
  public Future<Void> unsubscribe(RoomKey room) {
    Future<RedisSubscriber> shard = rooms.remove(room);
    return shard == null ? Future.succeededFuture() : shard.compose(subscriber -> subscriber.unsubscribe(room));
  }

  @Override
  public void listener(BrokerListener listener) {
    this.listener = listener;
    shards.values().forEach(shard -> shard.listener(listener));
  }

  @Override
  public Future<Void> close() {
    rooms.clear();
    List<Future<Void>> closing = shards.values().stream().map(RedisSubscriber::close).toList();
    shards.clear();
    return Future.join(closing).eventually(commands::close).eventually(commandClient::close)
        .eventually(nodes::close).mapEmpty();
  }

  @Override
  public void dropConnection() {
    shards.values().forEach(RedisSubscriber::dropConnection);
  }

  private Future<RedisSubscriber> shardOf(int slot) {
    return range(slot).map(range -> shards.computeIfAbsent(range.start(), start -> {
      RedisSubscriber shard = new RedisSubscriber(vertx, () -> range(start).compose(now -> nodes.connect(now.master())),
          RedisSubscriber.Mode.SHARDED);
      shard.listener(listener);
      return shard;
    }));
  }

  /** The slot range holding {@code slot} and its master now, asked of the Cluster each time (after a failover it differs). */
  private Future<SlotRange> range(int slot) {
    return commands.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).compose(reply -> {
      for (SlotRange range : ranges(reply)) {
        if (range.start() <= slot && slot <= range.end()) {
          return Future.succeededFuture(range);
        }
      }
      return Future.failedFuture("no Redis Cluster node serves slot " + slot);
    });
  }

  private static List<SlotRange> ranges(Response reply) {
    List<SlotRange> ranges = new ArrayList<>();
    for (Response entry : reply) {
      Response master = entry.get(2);
      ranges.add(new SlotRange(entry.get(0).toInteger(), entry.get(1).toInteger(),
          master.get(0).toString() + ":" + master.get(1).toInteger()));
    }
    return ranges;
  }
}

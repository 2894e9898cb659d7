package studio.hub.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import studio.contract.envelope.Envelope;
import studio.contract.room.RoomKey;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import studio.embedded.RedisTopology;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;

/**
 * The broker contract on a real 3-master Redis Cluster (with replicas), every node requiring a
 * password (production's form: redis-cluster://:password@...): multi-room publishes span slots,
 * sharded subscriptions reach each shard's master with the password.
 */
@Tag("redis-topology")
class ClusterRedisBrokerTest extends BrokerContractTest {
  static RedisTopology cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisTopology.cluster("cluster-pw");
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  @DisplayName("a retry with the same idempotency key completes a publish that failed on one slot, duplicating no room's event")
  void retryCompletesHalfAppliedPublish() throws Exception {
    RoomKey task = room("task");
    RoomKey run = room("run");
    RoomKey broken = room("flowchart");
    assertThat(Stream.of(task, run, broken).map(room -> HashSlot.of(RedisKeys.meta(room))).distinct()).hasSize(3);
    Redis redis = RedisConnector.client(vertx, new RedisConfig(cluster.url(), 1));
    // A value of the wrong type makes the script for that room's slot fail before it writes anything.
    send(redis, Request.cmd(Command.SET).arg(RedisKeys.meta(broken)).arg("not a hash"));

    assertThatThrownBy(() -> publish(draft("half", task, run, broken))).hasMessageContaining("WRONGTYPE");
    assertThat(onContext(() -> broker.history(task, 0, 10)).frames()).hasSize(1);
    assertThat(onContext(() -> broker.history(run, 0, 10)).frames()).hasSize(1);

    send(redis, Request.cmd(Command.DEL).arg(RedisKeys.meta(broken)));
    Publication retry = publish(draft("half", task, run, broken));
    Publication again = publish(draft("half", task, run, broken));
    Publication next = publish(draft(null, task));

    assertThat(retry.envelope().sequence()).isEqualTo(1);
    assertThat(retry.rooms()).extracting(RoomFrame::room).containsExactly(task, run, broken);
    assertThat(retry.rooms()).extracting(RoomFrame::offset).containsExactly(1L, 1L, 1L);
    for (RoomKey room : List.of(task, run, broken)) {
      History history = onContext(() -> broker.history(room, 0, 10));
      assertThat(history.frames()).as("history of %s", room).extracting(RoomFrame::offset)
          .containsExactly(room.equals(task) ? new Long[] {1L, 2L} : new Long[] {1L});
      assertThat(Envelope.fromJson(new JsonObject(history.frames().get(0).frame()).getJsonObject("event")).eventId())
          .isEqualTo(retry.envelope().eventId());
    }
    assertThat(again.duplicate()).isTrue();
    assertThat(again.envelope()).isEqualTo(retry.envelope());
    assertThat(again.rooms()).isEqualTo(retry.rooms());
    assertThat(next.envelope().sequence()).isEqualTo(2);
  }

  @Test
  @DisplayName("subscriptions are sharded: the room's channel is an SSUBSCRIBE on the master owning its slot, no classic channel anywhere")
  void shardedSubscriptions() throws Exception {
    RoomKey task = room("task");
    onContext(() -> broker.subscribe(task));
    RedisTopology.Node owner = masterOf(RedisKeys.channel(task));
    assertThat(cluster.cli(owner.port(), "PUBSUB", "SHARDCHANNELS", RedisKeys.channel(task))).contains(RedisKeys.channel(task));
    for (RedisTopology.Node node : cluster.nodes("node")) {
      assertThat(cluster.cli(node.port(), "PUBSUB", "CHANNELS", "studio:rt:*").trim()).isEmpty();
    }
    publish(draft(null, task));
    await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 1);
  }

  @Test
  @DisplayName("a shard subscriber whose reconnect reaches a node that no longer owns its slots (MOVED) drops that link and retries until it resubscribes")
  void reconnectToWrongNodeRetried() throws Exception {
    RoomKey task = room("task");
    String channel = RedisKeys.channel(task);
    RedisTopology.Node owner = masterOf(channel);
    RedisTopology.Node stranger = cluster.nodes("node").stream()
        .filter(node -> node.port() != owner.port() && cluster.cli(node.port(), "ROLE").startsWith("master"))
        .findFirst().orElseThrow();
    RedisConfig config = new RedisConfig(cluster.url(), 1);
    // The owner, then (as a stale slot map would name it) another master, then the owner again.
    List<Integer> ports = new CopyOnWriteArrayList<>(List.of(owner.port(), stranger.port(), owner.port()));
    List<Integer> dialled = new CopyOnWriteArrayList<>();
    AtomicInteger resubscribed = new AtomicInteger();
    List<RoomFrame> frames = new CopyOnWriteArrayList<>();
    RedisSubscriber subscriber = onContext(() -> {
      RedisSubscriber created = new RedisSubscriber(vertx, () -> {
        int port = ports.size() > 1 ? ports.remove(0) : ports.get(0);
        dialled.add(port);
        return RedisConnector.nodeClient(vertx, config, "127.0.0.1:" + port).connect();
      }, RedisSubscriber.Mode.SHARDED, Duration.ofSeconds(1));
      created.listener(new BrokerListener() {
        @Override
        public void onFrame(RoomFrame frame) {
          frames.add(frame);
        }

        @Override
        public void onResubscribed() {
          resubscribed.incrementAndGet();
        }
      });
      return created.subscribe(task).map(created);
    });

    onContext(() -> {
      subscriber.dropConnection();
      return Future.succeededFuture();
    });
    // The stranger never confirms the SSUBSCRIBE, so that attempt ends at the 10 s confirmation timeout.
    await().atMost(Duration.ofSeconds(40)).until(() -> resubscribed.get() == 1);
    assertThat(dialled).containsExactly(owner.port(), stranger.port(), owner.port());
    publish(draft(null, task));
    await().atMost(Duration.ofSeconds(10)).until(() -> frames.size() == 1);
    onContext(subscriber::close);
  }

  /** The master that owns {@code key}'s slot now. */
  private static RedisTopology.Node masterOf(String key) {
    return cluster.masterOfSlot(HashSlot.of(key));
  }

  private static Response send(Redis redis, Request request) throws Exception {
    return redis.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  Broker create(Vertx vertx, HistoryPolicy policy) {
    RedisConfig config = new RedisConfig(cluster.url(), 4);
    return RedisBroker.withOwnLink(vertx, RedisConnector.client(vertx, config), policy, config);
  }
}

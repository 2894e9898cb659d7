package studio.hub.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.envelope.DraftEvent;
import studio.contract.room.RoomKey;
import studio.embedded.RedisTopology;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;

/**
 * The master dies under publishing and its replica is promoted (by Sentinel, or by the Cluster
 * itself): every publish the broker answered reaches a subscriber or is in the room's history in the
 * room's final epoch, or that epoch changed (so a resuming client gets recovered:false). Never one
 * (epoch, offset) for two events, never a silent gap.
 */
@Tag("redis-topology")
@ExtendWith(VertxExtension.class)
class FailoverTest {
  private static final HistoryPolicy POLICY = new HistoryPolicy(1000, Duration.ofMinutes(5), Duration.ofMinutes(5),
      Duration.ofDays(1));
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private Context context;

  @Test
  @DisplayName("Sentinel failover that loses acknowledged writes: each answered event is delivered, or its room's epoch changed")
  void sentinelFailoverLosingWrites(Vertx vertx) throws Exception {
    context = vertx.getOrCreateContext();
    try (RedisTopology redis = RedisTopology.sentinel()) {
      RedisConfig config = new RedisConfig(redis.url(), 2);
      Redis dedicated = Redis.createClient(vertx, RedisConnector.options(config));
      RedisBroker broker = onContext(() -> Future.succeededFuture(new RedisBroker(vertx,
          RedisConnector.client(vertx, config), dedicated::connect, POLICY)));
      RoomKey room = RoomKey.parse("task:" + id);
      List<Publication> answered = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        answered.add(onContext(() -> broker.publish(draft(room))));
      }
      RedisTopology.Node master = redis.nodes("master").get(0);
      RedisTopology.Node replica = redis.nodes("replica").get(0);
      assertThat(redis.cli(master.port(), "WAIT", "1", "5000").trim()).isEqualTo("1");
      // The replica stops reading and loses its link: what the master acknowledges now, it alone holds.
      replica.pause();
      redis.cli(master.port(), "CLIENT", "KILL", "TYPE", "replica");
      for (int i = 0; i < 20; i++) {
        answered.add(onContext(() -> broker.publish(draft(room))));
      }
      master.kill();
      replica.resume();

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> redis.cli(replica.port(), "ROLE").startsWith("master"));
      RoomPosition promoted = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .ignoreExceptions().until(() -> onContext(() -> broker.position(room)), position -> position.offset() > 0);
      assertThat(promoted.offset()).as("the promoted replica lost the last writes").isEqualTo(30);
      for (int i = 0; i < 20; i++) {
        answered.add(await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .until(() -> onContext(() -> broker.publish(draft(room))), publication -> true));
      }

      assertEveryAnsweredEventKept(broker, room, answered);
      RoomPosition last = onContext(() -> broker.position(room));
      assertThat(answered.get(0).rooms().get(0).epoch()).as("the failover started a new epoch").isNotEqualTo(last.epoch());
      assertThat(last.offset()).isEqualTo(20);
      onContext(broker::close);
    }
  }

  @Test
  @DisplayName("Cluster: the master owning a room's slot is SIGKILLed under publishing; publishing and the sharded subscription resume on the promoted replica, each answered event delivered or its epoch changed")
  void clusterMasterKilledUnderPublishing(Vertx vertx) throws Exception {
    context = vertx.getOrCreateContext();
    try (RedisTopology redis = RedisTopology.cluster()) {
      RedisConfig config = new RedisConfig(redis.url(), 2);
      RedisBroker broker = onContext(() -> Future.succeededFuture(RedisBroker.withOwnLink(vertx,
          RedisConnector.client(vertx, config), POLICY, config)));
      RoomKey room = RoomKey.parse("task:" + id);
      // What a subscribed client gets: live frames, and after the subscription is restored, the
      // history the fan-out catches up from (RoomFanout.onResubscribed).
      Map<String, String> delivered = new ConcurrentHashMap<>();
      AtomicInteger resubscribed = new AtomicInteger();
      onContext(() -> {
        broker.listener(new BrokerListener() {
          @Override
          public void onFrame(RoomFrame frame) {
            delivered.put(frame.epoch() + "/" + frame.offset(), frame.frame());
          }

          @Override
          public void onResubscribed() {
            resubscribed.incrementAndGet();
            broker.history(room, 0, 1000).onSuccess(history -> history.frames()
                .forEach(frame -> delivered.put(frame.epoch() + "/" + frame.offset(), frame.frame())));
          }
        });
        return broker.subscribe(room);
      });

      List<Publication> answered = new CopyOnWriteArrayList<>();
      AtomicInteger failed = new AtomicInteger();
      AtomicBoolean publishing = new AtomicBoolean(true);
      context.runOnContext(ignored -> publishUntilStopped(vertx, broker, room, answered, failed, publishing));
      await().atMost(Duration.ofSeconds(20)).until(() -> answered.size() >= 30);

      RedisTopology.Node master = redis.masterOfSlot(HashSlot.of(RedisKeys.meta(room)));
      RedisTopology.Node replica = redis.replicaOf(master);
      // Before the kill the subscription delivers live (checked on a prefix: publishing goes on).
      List<Publication> early = List.copyOf(answered);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(early.stream()
              .map(publication -> publication.rooms().get(0).epoch() + "/" + publication.rooms().get(0).offset())
              .filter(place -> !delivered.containsKey(place)))
          .as("answered before the kill, yet not delivered live").isEmpty());
      int answeredBeforeKill = answered.size();
      long killedAt = System.nanoTime();
      master.kill();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
          .until(() -> redis.cli(replica.port(), "ROLE").startsWith("master"));
      // Publishing resumes on its own, the broker finding the promoted replica, and the sharded
      // subscription follows the slot there.
      await().atMost(Duration.ofSeconds(30)).until(() -> answered.size() >= answeredBeforeKill + 30
          && !answered.get(answered.size() - 1).rooms().get(0).epoch().equals(answered.get(0).rooms().get(0).epoch()));
      long recoveredMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
      publishing.set(false);
      RoomPosition last = onContext(() -> broker.position(room));
      System.out.printf("cluster failover: %d answered (%d before the kill), %d failed attempts, publishing back %d ms after the kill%n",
          answered.size(), answeredBeforeKill, failed.get(), recoveredMillis);

      assertThat(answered.get(0).rooms().get(0).epoch()).as("the failover started a new epoch").isNotEqualTo(last.epoch());
      assertEveryAnsweredEventKept(broker, room, answered);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(answered.stream()
              .map(publication -> publication.rooms().get(0))
              .filter(frame -> frame.epoch().equals(last.epoch()))
              .filter(frame -> !frame.frame().equals(delivered.get(frame.epoch() + "/" + frame.offset())))
              .map(frame -> frame.epoch() + "/" + frame.offset()))
          .as("answered in the final epoch, yet not delivered to the subscriber (%d resubscriptions)", resubscribed.get())
          .isEmpty());
      onContext(broker::close);
    }
  }

  /** One publish after another (a short pause after a failure, as a client retrying would) until stopped. */
  private void publishUntilStopped(Vertx vertx, RedisBroker broker, RoomKey room, List<Publication> answered,
      AtomicInteger failed, AtomicBoolean publishing) {
    if (!publishing.get()) {
      return;
    }
    broker.publish(draft(room))
        .onSuccess(answered::add)
        .onFailure(failure -> failed.incrementAndGet())
        .onComplete(done -> vertx.setTimer(done.succeeded() ? 5 : 100,
            timer -> publishUntilStopped(vertx, broker, room, answered, failed, publishing)));
  }

  /** Each answered event is in the history of the room's final epoch, or its epoch is no longer the room's; never two events at one place. */
  private void assertEveryAnsweredEventKept(RedisBroker broker, RoomKey room, List<Publication> answered) throws Exception {
    RoomPosition last = onContext(() -> broker.position(room));
    History history = onContext(() -> broker.history(room, 0, 1000));
    Map<String, String> eventAt = new HashMap<>();
    for (Publication publication : answered) {
      RoomFrame frame = publication.rooms().get(0);
      String previous = eventAt.put(frame.epoch() + "/" + frame.offset(), publication.envelope().eventId().toString());
      assertThat(previous).as("one event per (epoch, offset): %s/%s", frame.epoch(), frame.offset()).isNull();
      if (frame.epoch().equals(last.epoch())) {
        assertThat(history.frames()).as("answered in the final epoch, so in its history")
            .anySatisfy(stored -> {
              assertThat(stored.offset()).isEqualTo(frame.offset());
              assertThat(stored.frame()).isEqualTo(frame.frame());
            });
      }
    }
  }

  private DraftEvent draft(RoomKey room) {
    return DraftEvent.fromJson(new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task")
        .put("entity_id", id).put("room_keys", new JsonArray().add(room.toString())).put("payload", new JsonObject()));
  }

  private <T> T onContext(Supplier<Future<T>> action) throws Exception {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(promise));
    return promise.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

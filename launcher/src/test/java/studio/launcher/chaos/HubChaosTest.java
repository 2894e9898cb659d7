package studio.launcher.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import studio.runtime.auth.RealtimeTokens;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.RedisStreams;
import studio.launcher.cluster.RoomFollower;
import studio.testsupport.RealtimeClient;

/**
 * Faults around the socket hub, against real processes: two hub replicas ({@code studio.jar hub},
 * one process each) on one real Redis, started once for the class. Every case publishes numbered
 * events through the hubs' HTTP ingress at a steady rate while clients follow the room, injects one
 * fault mid-stream, and then holds every client to exactly once, in order: nothing answered 2xx is
 * lost, nothing arrives twice, offsets have no gap. Figures land in {@code target/chaos/figures.md}.
 */
@Tag("system")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ProcessLogsOnFailure.class)
class HubChaosTest {
  private static final String JWT_SECRET = "chaos-jwt-" + UUID.randomUUID();
  private static final String WORKER_SECRET = "chaos-worker-" + UUID.randomUUID();
  /** Events per second of the steady publisher. */
  private static final int RATE = 100;
  private static final Duration DELIVERED_WITHIN = Duration.ofSeconds(60);
  private static final String ORIGIN = "http://127.0.0.1";
  private static ChaosRedis redis;
  private static StudioProcess hub1;
  private static StudioProcess hub2;
  private static Vertx vertx;
  /** A field: Vert.x 5 closes a client that is garbage collected. */
  private static WebSocketClient sockets;

  @BeforeAll
  static void start() throws Exception {
    Path logs = ChaosDirectory.logs(HubChaosTest.class);
    Path data = ChaosDirectory.data(HubChaosTest.class);
    redis = ChaosRedis.start();
    hub1 = startHub("hub-1", logs, data);
    hub2 = startHub("hub-2", logs, data);
    hub1.awaitReady();
    hub2.awaitReady();
    vertx = Vertx.vertx();
    sockets = vertx.createWebSocketClient();
  }

  /** Whatever an earlier case did, each case starts with both replicas up. */
  @BeforeEach
  void bothReplicasUp() throws Exception {
    for (StudioProcess hub : List.of(hub1, hub2)) {
      if (!hub.alive()) {
        hub.restart().awaitReady();
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } finally {
      for (AutoCloseable closeable : new AutoCloseable[] {hub1, hub2, redis}) {
        if (closeable != null) {
          closeable.close();
        }
      }
    }
  }

  private static StudioProcess startHub(String name, Path logs, Path data) throws Exception {
    int port = FreePort.next();
    Map<String, String> environment = new HashMap<>(Map.of(
        "STUDIO_ENV", "development",
        "REDIS_URL", redis.url(),
        "JWT_SECRET_KEY", JWT_SECRET,
        "WORKER_SHARED_SECRET", WORKER_SECRET,
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_HUB_PORT", Integer.toString(port),
        "STUDIO_HUB_INSTANCES", "1",
        // Short holds, so the long-poll loop and a test's end never wait the default 25 s.
        "STUDIO_RT_POLL_TIMEOUT", "2s",
        "STUDIO_DATA_DIR", data.resolve(name).toString()));
    return StudioProcess.start(name, logs, environment, port, "hub");
  }

  @Test
  @Order(1)
  @DisplayName("Redis FLUSHALL while clients are subscribed: they keep receiving in the new epoch; a resume with the old epoch gets recovered:false")
  void redisFlushAll() throws Exception {
    String room = room("flush");
    RoomPublisher publisher = new RoomPublisher(vertx, WORKER_SECRET, room, RoomPublisher.PATIENT);
    RoomFollower onHub1 = follower(room);
    RoomFollower onHub2 = follower(room);
    assertThat(onHub1.follow(hub1.port()).getLong("offset")).isZero();
    assertThat(onHub2.follow(hub2.port()).getLong("offset")).isZero();

    publisher.publish(100, RATE, alternating()).awaitAnswered();
    List<RoomPublisher.Outcome> beforeFlush = publisher.outcomes();
    awaitDelivered(publisher, onHub1, onHub2);
    JsonObject lastBefore = onHub1.lastEvent();

    redis.flushAll();
    publisher.publish(100, RATE, alternating()).awaitAnswered();
    List<RoomPublisher.Outcome> afterFlush = publisher.outcomes().subList(beforeFlush.size(), publisher.outcomes().size());
    assertThat(publisher.refused()).as("publishes refused around the flush").isEmpty();
    awaitDelivered(publisher, onHub1, onHub2);

    String oldEpoch = lastBefore.getString("epoch");
    String newEpoch = onHub1.lastEvent().getString("epoch");
    assertThat(newEpoch).as("the epoch after the flush").isNotEqualTo(oldEpoch);
    for (RoomFollower follower : List.of(onHub1, onHub2)) {
      String name = follower == onHub1 ? "client on hub-1" : "client on hub-2";
      List<JsonObject> frames = follower.events();
      List<JsonObject> inOldEpoch = frames.stream().filter(frame -> oldEpoch.equals(frame.getString("epoch"))).toList();
      List<JsonObject> inNewEpoch = frames.subList(inOldEpoch.size(), frames.size());
      assertThat(frames.subList(0, inOldEpoch.size())).as("%s: the old epoch's events come first", name)
          .isEqualTo(inOldEpoch);
      assertThat(inNewEpoch).extracting(frame -> frame.getString("epoch")).as("%s: one new epoch after the flush", name)
          .containsOnly(newEpoch);
      Delivery.of(name + ", before the flush", inOldEpoch, beforeFlush).assertExactlyOnceInOrder(0);
      // The new epoch numbers the room from 1 again.
      Delivery.of(name + ", after the flush", inNewEpoch, afterFlush).assertExactlyOnceInOrder(0);
      Delivery.of(name, frames, publisher.outcomes()).record("Redis FLUSHALL");
    }

    for (StudioProcess hub : List.of(hub1, hub2)) {
      RealtimeClient late = RealtimeClient.open(vertx, hub.port(), "/rt/ws?token=" + token(room));
      String id = late.subscribe(new JsonObject().put(room, new JsonObject()
          .put("offset", lastBefore.getLong("offset")).put("epoch", oldEpoch)), room);
      JsonObject ack = late.awaitReply(id);
      assertThat(ack.getString("op")).as(ack.encode()).isEqualTo("ack");
      JsonObject state = ack.getJsonObject("rooms").getJsonObject(room);
      assertThat(state.getBoolean("recovered")).as("resume with the old epoch on %s: %s", hub.name(), state).isFalse();
      assertThat(state.getString("epoch")).isEqualTo(newEpoch);
      assertThat(state.getLong("offset")).isEqualTo(afterFlush.size());
      late.close();
    }
    onHub1.close();
    onHub2.close();
  }

  @Test
  @Order(2)
  @DisplayName("Redis FLUSHALL: drafts that workers add to the Redis ingress stream afterwards still reach clients")
  void redisFlushAllStreamIngress() throws Exception {
    String room = room("flush-stream");
    RoomFollower onHub1 = follower(room);
    RoomFollower onHub2 = follower(room);
    assertThat(onHub1.follow(hub1.port()).getLong("offset")).isZero();
    assertThat(onHub2.follow(hub2.port()).getLong("offset")).isZero();

    redis.flushAll();
    int drafts = 20;
    for (int n = 0; n < drafts; n++) {
      assertThat(redis.command("XADD", RedisStreams.INGRESS, "*", RedisStreams.INGRESS_FIELD,
          RoomPublisher.draft(room, n).encode())).as("XADD").startsWith("$");
    }

    // The hubs retry a failed stream read within 5 s; a minute is far beyond that.
    await().atMost(DELIVERED_WITHIN).untilAsserted(() -> {
      assertThat(onHub1.events()).as("events on hub-1 from the ingress stream").hasSizeGreaterThanOrEqualTo(drafts);
      assertThat(onHub2.events()).as("events on hub-2 from the ingress stream").hasSizeGreaterThanOrEqualTo(drafts);
    });
    for (RoomFollower follower : List.of(onHub1, onHub2)) {
      // Each once, offsets without a gap, in the order the worker added them.
      assertThat(follower.events()).extracting(Delivery::number)
          .containsExactlyElementsOf(IntStream.range(0, drafts).boxed().toList());
      assertThat(follower.events()).extracting(frame -> frame.getLong("offset"))
          .containsExactlyElementsOf(LongStream.rangeClosed(1, drafts).boxed().toList());
    }
    onHub1.close();
    onHub2.close();
  }

  @Test
  @Order(3)
  @DisplayName("Redis paused (SIGSTOP) for 3 s while publishing: every publish answered 2xx is delivered once, in order; publishing works afterwards")
  void redisPaused() throws Exception {
    String room = room("pause");
    // A worker that gives up after 2 s, less than the pause: some publishes time out, and are counted.
    RoomPublisher publisher = new RoomPublisher(vertx, WORKER_SECRET, room, Duration.ofSeconds(2));
    RoomFollower onHub1 = follower(room);
    RoomFollower onHub2 = follower(room);
    assertThat(onHub1.follow(hub1.port()).getLong("offset")).isZero();
    assertThat(onHub2.follow(hub2.port()).getLong("offset")).isZero();

    RoomPublisher.Run run = publisher.publish(700, RATE, alternating());
    await().atMost(Duration.ofSeconds(30)).until(() -> run.answered() >= 150);
    redis.pause(Duration.ofSeconds(3));
    run.awaitAnswered();

    int before = publisher.outcomes().size();
    publisher.publish(50, RATE, alternating()).awaitAnswered();
    assertThat(publisher.outcomes().subList(before, publisher.outcomes().size()))
        .as("publishes after Redis came back").allMatch(RoomPublisher.Outcome::accepted);

    awaitDelivered(publisher, onHub1, onHub2);
    Delivery.of("client on hub-1", onHub1.events(), publisher.outcomes()).record("Redis paused 3 s")
        .assertExactlyOnceInOrder(0);
    Delivery.of("client on hub-2", onHub2.events(), publisher.outcomes()).record("Redis paused 3 s")
        .assertExactlyOnceInOrder(0);
    assertThat(onHub2.events()).extracting(frame -> frame.getJsonObject("event").getString("event_id"))
        .as("same events in the same order on both replicas")
        .containsExactlyElementsOf(onHub1.events().stream()
            .map(frame -> frame.getJsonObject("event").getString("event_id")).toList());
    onHub1.close();
    onHub2.close();
  }

  @Test
  @Order(4)
  @DisplayName("long-poll alternating between two replicas at 200 events/s: every event exactly once, contiguous")
  void longPollAlternatingReplicas() throws Exception {
    String room = room("poll");
    RoomPublisher publisher = new RoomPublisher(vertx, WORKER_SECRET, room, RoomPublisher.PATIENT);
    LongPoller poller = new LongPoller(vertx, room, token(room), hub1.port(), hub2.port());
    poller.start();
    await().atMost(Duration.ofSeconds(30)).until(poller::positioned);

    publisher.publish(1000, 200, alternating()).awaitAnswered();
    // Each event takes the room's next offset, so the poller has caught up at the last one.
    await().atMost(DELIVERED_WITHIN).until(() -> poller.offset() >= publisher.accepted().size());
    poller.stop();

    Delivery delivery = Delivery.of("long-poll, alternating replicas", poller.events(), publisher.outcomes())
        .record("Long-poll alternating replicas, 200 events/s");
    assertThat(poller.failures()).as("failed polls").isEmpty();
    assertThat(poller.states()).as("every answer continues from since").allMatch(state -> state.getBoolean("recovered"));
    delivery.assertExactlyOnceInOrder(0);
  }

  @Test
  @Order(5)
  @DisplayName("a hub replica SIGKILLed mid-stream: its clients resume on the survivor with since; every client gets every event once, in order")
  void hubReplicaKilled() throws Exception {
    String room = room("kill");
    RoomPublisher publisher = new RoomPublisher(vertx, WORKER_SECRET, room, RoomPublisher.PATIENT);
    List<RoomFollower> survivors = List.of(follower(room), follower(room));
    List<RoomFollower> movers = List.of(follower(room), follower(room));
    for (RoomFollower follower : survivors) {
      assertThat(follower.follow(hub1.port()).getLong("offset")).isZero();
    }
    for (RoomFollower follower : movers) {
      assertThat(follower.follow(hub2.port()).getLong("offset")).isZero();
    }

    // Published through the replica that survives, as a worker behind a health-checked balancer would.
    RoomPublisher.Run run = publisher.publish(500, RATE, n -> hub1.port());
    await().atMost(Duration.ofSeconds(30)).until(() -> movers.stream().allMatch(mover -> mover.events().size() >= 150));
    hub2.kill();
    for (RoomFollower mover : movers) {
      mover.awaitDisconnected();
      JsonObject resumed = mover.follow(hub1.port());
      assertThat(resumed.getBoolean("recovered")).as("resume on hub-1: %s", resumed).isTrue();
    }
    run.awaitAnswered();
    assertThat(publisher.refused()).as("publishes through the survivor refused").isEmpty();

    List<RoomFollower> everyone = List.of(survivors.get(0), survivors.get(1), movers.get(0), movers.get(1));
    awaitDelivered(publisher, everyone.toArray(RoomFollower[]::new));
    List<String> names = List.of("client on hub-1 (a)", "client on hub-1 (b)", "client moved from hub-2 (a)",
        "client moved from hub-2 (b)");
    for (int i = 0; i < everyone.size(); i++) {
      Delivery.of(names.get(i), everyone.get(i).events(), publisher.outcomes()).record("Hub replica SIGKILLed")
          .assertExactlyOnceInOrder(0);
    }
    assertThat(movers.get(0).acks()).hasSize(2);
    everyone.forEach(RoomFollower::close);
  }

  @Test
  @Order(6)
  @DisplayName("the replica reading the Redis ingress stream SIGKILLed while a worker adds drafts: the other takes over; every draft arrives once, in the order added")
  void streamReaderKilled() throws Exception {
    String room = room("stream-kill");
    StudioProcess reader = streamReader();
    StudioProcess survivor = reader == hub1 ? hub2 : hub1;
    RoomFollower follower = follower(room);
    assertThat(follower.follow(survivor.port()).getLong("offset")).isZero();

    // A worker with only Redis: one XADD after another, in order, at a steady rate.
    int drafts = 400;
    AtomicInteger added = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    // Ordered blocking calls of one context: each XADD starts after the one before it answered.
    vertx.runOnContext(start -> SteadyRate.run(vertx, drafts, RATE, n -> vertx.executeBlocking(() -> {
      String reply = redis.command("XADD", RedisStreams.INGRESS, "*", RedisStreams.INGRESS_FIELD,
          RoomPublisher.draft(room, n).encode());
      if (reply == null || !reply.startsWith("$")) {
        throw new IllegalStateException("XADD of draft " + n + " answered " + reply);
      }
      return reply;
    }).onSuccess(reply -> added.incrementAndGet()).onFailure(failures::add)));
    await().atMost(Duration.ofSeconds(30)).until(() -> follower.events().size() >= 150);
    reader.kill();
    await().atMost(Duration.ofSeconds(30)).until(() -> added.get() + failures.size() == drafts);
    assertThat(failures).as("XADDs that failed").isEmpty();

    // The survivor reads once the dead one's lease expires (STUDIO_RT_INGRESS_LEASE_TTL, 5 s).
    await().atMost(DELIVERED_WITHIN).until(() -> follower.events().size() >= drafts);
    assertThat(follower.events()).extracting(Delivery::number).as("drafts in the order the room got them")
        .containsExactlyElementsOf(IntStream.range(0, drafts).boxed().toList());
    assertThat(follower.events()).extracting(frame -> frame.getLong("offset"))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, drafts).boxed().toList());
    assertThat(streamReader()).isSameAs(survivor);
    follower.close();
  }

  /** The live replica whose hub holds the ingress reader lease (its value is {@code hub-<pid>-<uuid>}), once one does. */
  private static StudioProcess streamReader() {
    AtomicReference<StudioProcess> reader = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      String holder = redis.value("GET", RedisStreams.INGRESS_READER);
      reader.set(holder == null ? null : List.of(hub1, hub2).stream()
          .filter(hub -> hub.alive() && holder.startsWith("hub-" + hub.pid() + "-")).findFirst().orElse(null));
      return reader.get() != null;
    });
    return reader.get();
  }

  /** Waits until every follower has every accepted event; past the deadline, fails naming what is missing. */
  private static void awaitDelivered(RoomPublisher publisher, RoomFollower... followers) {
    await().atMost(DELIVERED_WITHIN).untilAsserted(() -> {
      for (int i = 0; i < followers.length; i++) {
        assertThat(Delivery.of("", followers[i].events(), publisher.outcomes()).lost())
            .as("follower %d of %d: accepted events not delivered (yet)", i + 1, followers.length).isEmpty();
      }
    });
  }

  /** Publishes go to the replicas in turn. */
  private static IntUnaryOperator alternating() {
    return n -> n % 2 == 0 ? hub1.port() : hub2.port();
  }

  private static RoomFollower follower(String room) {
    return new RoomFollower(sockets, room, token(room), ORIGIN);
  }

  private static String room(String fault) {
    return "task:chaos-" + fault + "-" + Long.toString(System.nanoTime(), 36);
  }

  private static String token(String room) {
    return RealtimeTokens.create(vertx, JWT_SECRET).mint("chaos", List.of(room), Duration.ofMinutes(10));
  }
}

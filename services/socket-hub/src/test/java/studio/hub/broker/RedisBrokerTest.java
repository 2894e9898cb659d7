package studio.hub.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.room.RoomKey;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;
import studio.testsupport.TestInfrastructure;

class RedisBrokerTest extends BrokerContractTest {
  private Redis redis;

  @Override
  Broker create(Vertx vertx, HistoryPolicy policy) {
    RedisConfig config = new RedisConfig(TestInfrastructure.redisUrl(), 4);
    Redis commands = RedisConnector.client(vertx, config);
    // One client for the dedicated connections, referenced by the broker for as long as it lives.
    Redis dedicated = Redis.createClient(vertx, RedisConnector.options(config));
    return new RedisBroker(vertx, commands, dedicated::connect, policy);
  }

  @Test
  @DisplayName("when the pub/sub link drops, the broker reconnects, resubscribes and reports it")
  void resubscribesAfterLinkLoss() throws Exception {
    RoomKey watched = room("task");
    onContext(() -> broker.subscribe(watched));
    ((RedisBroker) broker).dropSubscriberConnection();
    await().atMost(Duration.ofSeconds(15)).until(() -> resubscribed == 1);
    publish(draft(null, watched));
    await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 1);
    assertThat(delivered.get(0).offset()).isEqualTo(1);
  }

  @Test
  @DisplayName("a stream's sequence key lives as long as its rooms: every publish sets its TTL to the room TTL")
  void sequenceKeyExpires() throws Exception {
    publish(draft(null, room("task")));
    publish(draft(null, room("task")));
    long ttl = redis().send(Request.cmd(Command.PTTL).arg(RedisKeys.sequence("task:" + id)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toLong();
    assertThat(ttl).isGreaterThan(POLICY.roomTtl().minusMinutes(1).toMillis()).isLessThanOrEqualTo(POLICY.roomTtl().toMillis());
  }

  @Test
  @DisplayName("a sequence that restarts after its key expired comes with a new epoch in the room it fed")
  void sequenceRestartsWithNewEpoch() throws Exception {
    Broker shortLived = onContext(() -> Future.succeededFuture(create(vertx,
        new HistoryPolicy(50, Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(300)))));
    try {
      RoomKey task = room("task");
      Publication before = onContext(() -> shortLived.publish(draft(null, task)));
      await().atMost(Duration.ofSeconds(10)).until(() -> redis().send(Request.cmd(Command.EXISTS)
          .arg(RedisKeys.sequence("task:" + id))).toCompletionStage().toCompletableFuture().get().toInteger() == 0);
      Publication after = onContext(() -> shortLived.publish(draft(null, task)));
      assertThat(after.envelope().sequence()).isEqualTo(1);
      assertThat(after.rooms().get(0).offset()).isEqualTo(1);
      assertThat(after.rooms().get(0).epoch()).isNotEqualTo(before.rooms().get(0).epoch());
    } finally {
      onContext(shortLived::close);
    }
  }

  @Test
  @DisplayName("a batch of drafts across rooms is one script call to Redis, not one per draft")
  void batchIsOneScriptCall() throws Exception {
    List<RoomKey> rooms = List.of(room("task"), room("run"), room("flowchart"));
    // The first batch may have to send the script's source once (NOSCRIPT, then EVAL); count the second.
    publishBatch(List.of(draft(null, rooms.get(0))));
    long before = scriptCalls();
    List<Publication> published = publishBatch(IntStream.range(0, 30)
        .mapToObj(i -> draft(i % 2 == 0 ? "key-" + i : null, rooms.get(i % 3))).toList());
    assertThat(scriptCalls() - before).isEqualTo(1);
    assertThat(published).hasSize(30);
    assertThat(published.get(29).envelope().sequence()).isEqualTo(31);
  }

  @Test
  @DisplayName("a room's history stream is trimmed by whole nodes: it stays within one node of the history size")
  void historyStreamStaysBounded() throws Exception {
    RoomKey task = room("task");
    for (int batch = 0; batch < 4; batch++) {
      publishBatch(IntStream.range(0, POLICY.size()).mapToObj(i -> draft(null, task)).toList());
    }
    long length = redis().send(Request.cmd(Command.XLEN).arg(RedisKeys.history(task)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toLong();
    // Redis closes a stream node at stream-node-max-entries (100 by default) or stream-node-max-bytes.
    assertThat(length).isBetween((long) POLICY.size(), POLICY.size() + 100L);
    History served = onContext(() -> broker.history(task, 0, 1000));
    assertThat(served.frames()).extracting(RoomFrame::offset).hasSize(POLICY.size()).startsWith(151L).endsWith(200L);
  }

  @Test
  @DisplayName("a batch of one job's events checks its room and keeps the room's and stream's keys alive once, not per event")
  void batchToOneRoomKeepsKeysAliveOnce() throws Exception {
    RoomKey task = room("task");
    publishBatch(List.of(draft(null, task)));
    long before = commandCalls("pexpire");
    long checksBefore = commandCalls("hmget");
    List<Publication> published = publishBatch(IntStream.range(0, 30).mapToObj(i -> draft(null, task)).toList());
    // The stream's counter, the room's meta hash and its history: once each for the 30 events.
    assertThat(commandCalls("pexpire") - before).isEqualTo(3);
    assertThat(commandCalls("hmget") - checksBefore).isEqualTo(1);
    assertThat(published).extracting(publication -> publication.rooms().get(0).offset())
        .containsExactlyElementsOf(IntStream.rangeClosed(2, 31).mapToObj(Long::valueOf).toList());
    assertThat(published).extracting(publication -> publication.rooms().get(0).epoch()).containsOnly(
        published.get(0).rooms().get(0).epoch());
    for (String key : List.of(RedisKeys.sequence("task:" + id), RedisKeys.meta(task), RedisKeys.history(task))) {
      long ttl = redis().send(Request.cmd(Command.PTTL).arg(key)).toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS).toLong();
      assertThat(ttl).as(key).isPositive();
    }
  }

  /** EVALSHA and EVAL calls Redis has run, from INFO commandstats. */
  private long scriptCalls() throws Exception {
    return commandCalls("evalsha") + commandCalls("eval");
  }

  /** Calls of one command Redis has run (scripts' calls included), from INFO commandstats. */
  private long commandCalls(String command) throws Exception {
    String stats = redis().send(Request.cmd(Command.INFO).arg("commandstats"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
    return stats.lines().filter(line -> line.startsWith("cmdstat_" + command + ":"))
        .mapToLong(line -> Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")))))
        .sum();
  }

  private Redis redis() {
    if (redis == null) {
      redis = RedisConnector.client(vertx, new RedisConfig(TestInfrastructure.redisUrl(), 1));
    }
    return redis;
  }
}

package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.RedisStreams;
import studio.hub.ingress.StreamIngress;
import studio.hub.support.HubNode;
import studio.testsupport.RealtimeClient;
import studio.hub.support.Tokens;
import studio.testsupport.TestInfrastructure;

/** Workers that only have Redis: XADD a draft to studio:rt:ingress and subscribers see it. */
@ExtendWith(VertxExtension.class)
class StreamIngressTest {
  private HubNode node;
  private Redis redis;
  private final String id = UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_INGRESS_CLAIM_IDLE", "1s", "STUDIO_RT_INGRESS_MAX_DELIVERIES", "3"));
    redis = Redis.createClient(vertx, TestInfrastructure.redisUrl());
  }

  private Response redis(Request request) throws Exception {
    return redis.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void xadd(String draft) throws Exception {
    redis(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*").arg(RedisStreams.INGRESS_FIELD).arg(draft));
  }

  @Test
  @DisplayName("drafts appended to the ingress stream are published in stream order and acknowledged")
  void publishesStreamEntries() throws Exception {
    String room = "task:" + id;
    RealtimeClient client = RealtimeClient.open(node.vertx, node.port(), "/rt/ws?token=" + Tokens.grant(node.vertx, room));
    client.awaitReply(client.subscribe(room));
    for (int i = 0; i < 5; i++) {
      xadd(HubNode.draft(id, room).put("payload", new io.vertx.core.json.JsonObject().put("i", i)).encode());
    }
    client.awaitEvents(room, 5);
    assertThat(client.events(room)).extracting(e -> e.getJsonObject("event").getJsonObject("payload").getInteger("i"))
        .containsExactly(0, 1, 2, 3, 4);
    assertThat(client.events(room).get(0).getJsonObject("event").getString("idempotency_key")).startsWith("ingress:");
    await().atMost(Duration.ofSeconds(10)).until(() -> redis(Request.cmd(Command.XPENDING).arg(RedisStreams.INGRESS)
        .arg(StreamIngress.GROUP)).get(0).toLong() == 0);
  }

  @Test
  @DisplayName("an entry left pending by a replica that died is claimed and published by another")
  void reclaimsStaleEntries() throws Exception {
    String room = "task:" + id;
    Request claimByDeadReplica = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(StreamIngress.GROUP).arg("dead-replica")
        .arg("COUNT").arg(1).arg("STREAMS").arg(RedisStreams.INGRESS).arg(">");
    node.vertx.undeploy(node.vertx.deploymentIDs().iterator().next()).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    xadd(HubNode.draft(id, room).encode());
    assertThat(redis(claimByDeadReplica).toString()).contains(id);
    // The replacement is another process: its own Vert.x, so it shares nothing with the dead one.
    Vertx otherProcess = Vertx.vertx();
    HubNode replacement = HubNode.deploy(otherProcess, Map.of("STUDIO_RT_INGRESS_CLAIM_IDLE", "1s"));
    RealtimeClient client = RealtimeClient.open(replacement.vertx, replacement.port(),
        "/rt/ws?token=" + Tokens.grant(replacement.vertx, room));
    JsonObject since = new JsonObject().put(room, new JsonObject().put("offset", 0));
    client.awaitReply(client.subscribe(since, room));
    try {
      client.awaitEvents(room, 1);
      assertThat(client.events(room)).hasSize(1);
    } finally {
      otherProcess.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("an invalid draft is acknowledged at once and parked in the dead-letter stream with its fields, reason and delivery count")
  void deadLetters() throws Exception {
    String marker = "bad-" + id;
    String entry = redis(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*")
        .arg(RedisStreams.INGRESS_FIELD).arg("{\"event_type\":\"" + marker + "\"}").arg("origin").arg("worker-" + id))
        .toString();
    Map<String, String> dead = awaitDeadLetter(entry);
    assertThat(dead).containsEntry(RedisStreams.INGRESS_FIELD, "{\"event_type\":\"" + marker + "\"}")
        .containsEntry("origin", "worker-" + id)
        .containsEntry(RedisStreams.DEAD_DELIVERIES_FIELD, "1");
    assertThat(dead.get(RedisStreams.DEAD_ERROR_FIELD)).contains("unknown event type");
    assertThat(pendingDeliveries(entry)).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> metric("studio_rt_ingress_dead_lettered_total") == 1);
  }

  @Test
  @DisplayName("an entry that fails on every delivery is parked after STUDIO_RT_INGRESS_MAX_DELIVERIES, and the entries behind it flow")
  void poisonEntryDeadLetteredAfterMaxDeliveries() throws Exception {
    String poisoned = "task:poison" + id;
    String room = "task:" + id;
    // A room key of the wrong type makes the publish script fail on every attempt, with an error
    // that looks as retryable as Redis being away.
    redis(Request.cmd(Command.SET).arg("studio:rt:{" + poisoned + "}:meta").arg("not a hash").arg("PX").arg(60_000));
    RealtimeClient client = RealtimeClient.open(node.vertx, node.port(), "/rt/ws?token=" + Tokens.grant(node.vertx, room));
    client.awaitReply(client.subscribe(room));
    // One transaction, so the hub reads both in one batch: the good entry waits behind the poison.
    List<Response> added = addTogether(HubNode.draft("poison" + id, poisoned).encode(), HubNode.draft(id, room).encode());
    String entry = added.get(0).toString();
    Map<String, String> dead = awaitDeadLetter(entry);
    assertThat(dead.get(RedisStreams.DEAD_DELIVERIES_FIELD)).isEqualTo("3");
    assertThat(dead.get(RedisStreams.DEAD_ERROR_FIELD)).contains("WRONGTYPE");
    assertThat(dead.get(RedisStreams.INGRESS_FIELD)).contains("poison" + id);
    assertThat(pendingDeliveries(entry)).isZero();
    client.awaitEvents(room, 1);
    assertThat(client.events(room)).hasSize(1);
    assertThat(metric("studio_rt_ingress_dead_lettered_total")).isEqualTo(1);
  }

  @Test
  @DisplayName("an entry whose publish fails for a while, then works, is retried and published, not parked")
  void transientFailureRetried() throws Exception {
    String room = "task:" + id;
    String meta = "studio:rt:{" + room + "}:meta";
    redis(Request.cmd(Command.SET).arg(meta).arg("not a hash").arg("PX").arg(60_000));
    String entry = redis(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*")
        .arg(RedisStreams.INGRESS_FIELD).arg(HubNode.draft(id, room).encode())).toString();
    await().atMost(Duration.ofSeconds(20)).until(() -> pendingDeliveries(entry) == 2);
    redis(Request.cmd(Command.DEL).arg(meta));
    await().atMost(Duration.ofSeconds(20)).until(() -> pendingDeliveries(entry) == 0);
    assertThat(redis(Request.cmd(Command.HGET).arg(meta).arg("offset")).toLong()).isEqualTo(1);
    assertThat(deadLetter(entry)).isNull();
  }

  @Test
  @DisplayName("the ingress stream is trimmed below its oldest unacknowledged entry, so it stays small however much flows through")
  void streamStaysBounded() throws Exception {
    String room = "task:" + id;
    for (int i = 0; i < 300; i++) {
      xadd(HubNode.draft(id, room).put("payload", new JsonObject().put("i", i)).encode());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> redis(Request.cmd(Command.HGET)
        .arg("studio:rt:{" + room + "}:meta").arg("offset")) != null
        && redis(Request.cmd(Command.HGET).arg("studio:rt:{" + room + "}:meta").arg("offset")).toLong() == 300);
    await().atMost(Duration.ofSeconds(10)).until(() -> redis(Request.cmd(Command.XLEN).arg(RedisStreams.INGRESS)).toLong() <= 1);
  }

  @Test
  @DisplayName("trimming never drops an entry still pending: one a dead replica holds survives until it is published")
  void trimKeepsPendingEntries() throws Exception {
    String room = "task:" + id;
    Request claimByDeadReplica = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(StreamIngress.GROUP).arg("dead-replica")
        .arg("COUNT").arg(1).arg("STREAMS").arg(RedisStreams.INGRESS).arg(">");
    node.vertx.undeploy(node.vertx.deploymentIDs().iterator().next()).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    String held = redis(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*")
        .arg(RedisStreams.INGRESS_FIELD).arg(HubNode.draft(id, room).encode())).toString();
    assertThat(redis(claimByDeadReplica).toString()).contains(id);
    for (int i = 0; i < 50; i++) {
      xadd(HubNode.draft("other" + id, "task:other" + id).encode());
    }
    // A replica whose claims come too late to rescue the held entry before several trims have run.
    Vertx otherProcess = Vertx.vertx();
    try {
      HubNode.deploy(otherProcess, Map.of("STUDIO_RT_INGRESS_CLAIM_IDLE", "3s"));
      await().atMost(Duration.ofSeconds(20)).until(() -> redis(Request.cmd(Command.HGET)
          .arg("studio:rt:{task:other" + id + "}:meta").arg("offset")) != null);
      assertThat(redis(Request.cmd(Command.XRANGE).arg(RedisStreams.INGRESS).arg(held).arg(held)).size()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> redis(Request.cmd(Command.HGET)
          .arg("studio:rt:{" + room + "}:meta").arg("offset")) != null);
    } finally {
      otherProcess.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("when Redis loses the stream and its group (FLUSHALL, a failover to an empty replica), the hub recreates the group and goes on")
  void recreatesLostGroup() throws Exception {
    String room = "task:" + id;
    RealtimeClient client = RealtimeClient.open(node.vertx, node.port(), "/rt/ws?token=" + Tokens.grant(node.vertx, room));
    client.awaitReply(client.subscribe(room));
    redis(Request.cmd(Command.DEL).arg(RedisStreams.INGRESS));
    xadd(HubNode.draft(id, room).encode());
    client.awaitEvents(room, 1);
    assertThat(client.events(room)).hasSize(1);
  }

  @Test
  @DisplayName("the consumer name a gone replica left, holding nothing, is forgotten, so the group does not grow with every hub start")
  void forgetsGoneConsumers() throws Exception {
    String gone = "gone-" + id;
    redis(Request.cmd(Command.XGROUP).arg("CREATECONSUMER").arg(RedisStreams.INGRESS).arg(StreamIngress.GROUP).arg(gone));
    assertThat(consumers()).contains(gone);
    await().atMost(Duration.ofSeconds(30)).until(() -> !consumers().contains(gone));
    String room = "task:" + id;
    RealtimeClient client = RealtimeClient.open(node.vertx, node.port(), "/rt/ws?token=" + Tokens.grant(node.vertx, room));
    client.awaitReply(client.subscribe(room));
    xadd(HubNode.draft(id, room).encode());
    client.awaitEvents(room, 1);
    assertThat(consumers()).contains("hub-");
  }

  private String consumers() throws Exception {
    return redis(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(RedisStreams.INGRESS).arg(StreamIngress.GROUP)).toString();
  }

  private List<Response> addTogether(String... drafts) throws Exception {
    List<Request> transaction = new ArrayList<>();
    transaction.add(Request.cmd(Command.MULTI));
    for (String draft : drafts) {
      transaction.add(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*").arg(RedisStreams.INGRESS_FIELD).arg(draft));
    }
    transaction.add(Request.cmd(Command.EXEC));
    List<Response> replies = redis.batch(transaction).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<Response> ids = new ArrayList<>();
    replies.get(replies.size() - 1).forEach(ids::add);
    return ids;
  }

  /** How often the group delivered {@code entry} so far; 0 once it is acknowledged. */
  private long pendingDeliveries(String entry) throws Exception {
    Response pending = redis(Request.cmd(Command.XPENDING).arg(RedisStreams.INGRESS).arg(StreamIngress.GROUP)
        .arg(entry).arg(entry).arg(1));
    return pending.size() == 0 ? 0 : pending.get(0).get(3).toLong();
  }

  private Map<String, String> awaitDeadLetter(String entry) throws Exception {
    await().atMost(Duration.ofSeconds(20)).until(() -> deadLetter(entry) != null);
    return deadLetter(entry);
  }

  /** The dead-letter entry of ingress entry {@code entry}, field by field, or null. */
  private Map<String, String> deadLetter(String entry) throws Exception {
    for (Response dead : redis(Request.cmd(Command.XRANGE).arg(RedisStreams.INGRESS_DEAD_LETTERS).arg("-").arg("+"))) {
      Map<String, String> fields = new LinkedHashMap<>();
      Response values = dead.get(1);
      if (values.isMap()) {
        values.getKeys().forEach(key -> fields.put(key, values.get(key).toString()));
      }
      for (int i = 0; !values.isMap() && i + 1 < values.size(); i += 2) {
        fields.put(values.get(i).toString(), values.get(i + 1).toString());
      }
      if (entry.equals(fields.get(RedisStreams.DEAD_ENTRY_FIELD))) {
        return fields;
      }
    }
    return null;
  }

  private double metric(String name) throws Exception {
    String scrape = studio.testsupport.HttpClients.of(node.vertx).get(node.port(), "127.0.0.1", "/metrics").send()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsString();
    return scrape.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }
}

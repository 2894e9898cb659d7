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
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
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
  /** Short, so a takeover after a hub stops takes at most a third of it. */
  private static final Map<String, String> SHORT_LEASE = Map.of("STUDIO_RT_INGRESS_LEASE_TTL", "2s");
  private HubNode node;
  private Redis redis;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  /** Hubs a test started on Vert.x instances of their own ("other processes"), closed after it. */
  private final List<HubNode> otherProcesses = new ArrayList<>();

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_INGRESS_CLAIM_IDLE", "1s", "STUDIO_RT_INGRESS_MAX_DELIVERIES", "3"));
    redis = Redis.createClient(vertx, TestInfrastructure.redisUrl());
  }

  @AfterEach
  void closeOtherProcesses() throws Exception {
    for (HubNode other : otherProcesses) {
      other.vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
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
      xadd(HubNode.draft(id, room).put("payload", new JsonObject().put("i", i)).encode());
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
    awaitAcknowledged(entry);
    await().atMost(Duration.ofSeconds(10)).until(() -> node.metric("studio_rt_ingress_dead_lettered_total") == 1);
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
    awaitAcknowledged(entry);
    client.awaitEvents(room, 1);
    assertThat(client.events(room)).hasSize(1);
    assertThat(node.metric("studio_rt_ingress_dead_lettered_total")).isEqualTo(1);
  }

  @Test
  @DisplayName("an entry whose publish fails for a while, then works, is retried and published, not parked")
  void transientFailureRetried() throws Exception {
    node.undeploy();
    // Far more deliveries than the failure lasts, so when it clears is up to the test, not a race with the cap.
    hubsInOtherProcesses(1, Map.of("STUDIO_RT_INGRESS_MAX_DELIVERIES", "1000", "STUDIO_RT_INGRESS_CLAIM_IDLE", "1s"));
    String room = "task:" + id;
    String meta = "studio:rt:{" + room + "}:meta";
    redis(Request.cmd(Command.SET).arg(meta).arg("not a hash").arg("PX").arg(60_000));
    String entry = redis(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*")
        .arg(RedisStreams.INGRESS_FIELD).arg(HubNode.draft(id, room).encode())).toString();
    await().atMost(Duration.ofSeconds(20)).until(() -> pendingDeliveries(entry) >= 2);
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
  @DisplayName("trimming never drops an entry still pending: one whose publish keeps failing survives the trims around it until it is published")
  void trimKeepsPendingEntries() throws Exception {
    node.undeploy();
    String room = "task:" + id;
    String other = "task:other" + id;
    String meta = "studio:rt:{" + room + "}:meta";
    redis(Request.cmd(Command.SET).arg(meta).arg("not a hash").arg("PX").arg(60_000));
    // Trims every 500 ms, and the held entry is never parked while the test looks.
    // Only the reader trims: wait until it is this hub (a lease the undeployed node held may first have to lapse).
    awaitReader(hubsInOtherProcesses(1, Map.of("STUDIO_RT_INGRESS_CLAIM_IDLE", "1s",
        "STUDIO_RT_INGRESS_MAX_DELIVERIES", "1000")));
    // One transaction, so the reader gets the 50 before the held entry in the same batch as the entry:
    // they are acknowledged (and trimmable) while it is retried, not once the whole batch is done.
    List<String> drafts = new ArrayList<>();
    IntStream.range(0, 50).forEach(n -> drafts.add(numbered(other, n)));
    drafts.add(HubNode.draft(id, room).encode());
    IntStream.range(50, 100).forEach(n -> drafts.add(numbered(other, n)));
    String held = addTogether(drafts.toArray(String[]::new)).get(50).toString();
    // The 50 published before it are trimmed away; the stream now starts exactly at the held entry.
    await().atMost(Duration.ofSeconds(20)).until(() -> held.equals(oldestEntry()));
    assertThat(pendingDeliveries(held)).isPositive();
    redis(Request.cmd(Command.DEL).arg(meta));
    await().atMost(Duration.ofSeconds(20)).until(() -> redis(Request.cmd(Command.HGET).arg(meta).arg("offset")) != null);
    await().atMost(Duration.ofSeconds(20)).until(() -> redis(Request.cmd(Command.HGET)
        .arg("studio:rt:{" + other + "}:meta").arg("offset")).toLong() == 100);
  }

  /** The id of the ingress stream's first entry, or null when it is empty. */
  private String oldestEntry() throws Exception {
    Response first = redis(Request.cmd(Command.XRANGE).arg(RedisStreams.INGRESS).arg("-").arg("+").arg("COUNT").arg(1));
    return first.size() == 0 ? null : first.get(0).get(0).toString();
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

  @Test
  @DisplayName("1,000 drafts a worker adds are published in stream order, once each, while three hubs share the stream")
  void threeHubsKeepStreamOrder() throws Exception {
    node.undeploy();
    String room = "task:" + id;
    List<HubNode> hubs = hubsInOtherProcesses(3, SHORT_LEASE);
    RealtimeClient client = subscribe(hubs.get(2), room);
    xaddNumbered(room, 0, 1000);
    client.awaitEvents(room, 1000);
    assertPublishedInStreamOrder(client, room, 1000);
  }

  @Test
  @DisplayName("the hub that reads the stream stops mid-stream: another takes over, and the room still gets every draft once, in stream order")
  void readerStopsMidStream() throws Exception {
    node.undeploy();
    String room = "task:" + id;
    List<HubNode> hubs = hubsInOtherProcesses(3, SHORT_LEASE);
    HubNode reader = awaitReader(hubs);
    HubNode watcher = hubs.stream().filter(hub -> hub != reader).findFirst().orElseThrow();
    RealtimeClient client = subscribe(watcher, room);
    xaddNumbered(room, 0, 1000);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.events(room).size() >= 100);
    reader.vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    otherProcesses.remove(reader);
    HubNode next = awaitReader(otherProcesses);
    assertThat(next).isNotSameAs(reader);
    client.awaitEvents(room, 1000);
    assertPublishedInStreamOrder(client, room, 1000);
  }

  @Test
  @DisplayName("an entry whose publish fails for a while holds back the entries behind it; once it passes they follow, in stream order")
  void failingEntryHoldsBackTheRest() throws Exception {
    node.undeploy();
    String room = "task:" + id;
    String blocked = "task:blocked" + id;
    String meta = "studio:rt:{" + blocked + "}:meta";
    HubNode hub = hubsInOtherProcesses(1, Map.of("STUDIO_RT_INGRESS_MAX_DELIVERIES", "1000",
        "STUDIO_RT_INGRESS_CLAIM_IDLE", "1s")).get(0);
    RealtimeClient client = subscribe(hub, room);
    // A room key of the wrong type makes the publish fail as retryably as Redis being away.
    redis(Request.cmd(Command.SET).arg(meta).arg("not a hash").arg("PX").arg(60_000));
    xaddNumbered(room, 0, 1);
    String failing = redis(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*")
        .arg(RedisStreams.INGRESS_FIELD).arg(HubNode.draft("blocked" + id, blocked).encode())).toString();
    client.awaitEvents(room, 1);
    await().atMost(Duration.ofSeconds(20)).until(() -> pendingDeliveries(failing) >= 1);
    // Added after the failing entry was read and failed, so a later read could hand them out first.
    xaddNumbered(room, 1, 5);
    long deliveredSoFar = pendingDeliveries(failing);
    // Retried twice more: the entries behind it had every chance to overtake it, and none did.
    await().atMost(Duration.ofSeconds(20)).until(() -> pendingDeliveries(failing) >= deliveredSoFar + 2);
    assertThat(client.events(room)).hasSize(1);
    redis(Request.cmd(Command.DEL).arg(meta));
    client.awaitEvents(room, 5);
    assertPublishedInStreamOrder(client, room, 5);
    assertThat(redis(Request.cmd(Command.HGET).arg(meta).arg("offset")).toLong()).isEqualTo(1);
    assertThat(deadLetter(failing)).isNull();
  }

  @Test
  @DisplayName("a hub whose reader lease was taken (it paused past its TTL and another took over) stops reading before it publishes more")
  void lostLeaseStopsReading() throws Exception {
    node.undeploy();
    String room = "task:" + id;
    HubNode hub = hubsInOtherProcesses(1, SHORT_LEASE).get(0);
    awaitReader(List.of(hub));
    RealtimeClient client = subscribe(hub, room);
    redis(Request.cmd(Command.SET).arg(RedisStreams.INGRESS_READER).arg("another-hub").arg("PX").arg(30_000));
    xaddNumbered(room, 0, 5);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> client.events(room).isEmpty());
    assertThat(hub.hub.readsIngress()).isFalse();
    // The other holder goes away: its lease ends and this hub takes over again, from where it was.
    redis(Request.cmd(Command.DEL).arg(RedisStreams.INGRESS_READER));
    client.awaitEvents(room, 5);
    assertPublishedInStreamOrder(client, room, 5);
  }

  /** {@code count} hubs, each on a Vert.x of its own as if in another process. */
  private List<HubNode> hubsInOtherProcesses(int count, Map<String, String> extra) throws Exception {
    List<HubNode> hubs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HubNode hub = HubNode.deploy(Vertx.vertx(), extra);
      otherProcesses.add(hub);
      hubs.add(hub);
    }
    return hubs;
  }

  /** The one hub of {@code hubs} that holds the reader lease, once one does. */
  private static HubNode awaitReader(List<HubNode> hubs) {
    await().atMost(Duration.ofSeconds(20)).until(() -> hubs.stream().filter(hub -> hub.hub.readsIngress()).count() == 1);
    return hubs.stream().filter(hub -> hub.hub.readsIngress()).findFirst().orElseThrow();
  }

  private RealtimeClient subscribe(HubNode hub, String room) throws Exception {
    RealtimeClient client = RealtimeClient.open(hub.vertx, hub.port(), "/rt/ws?token=" + Tokens.grant(hub.vertx, room));
    client.awaitReply(client.subscribe(room));
    return client;
  }

  /** Drafts numbered {@code from} to {@code to} (payload {@code n}) for {@code room}, added in one pipeline, as a busy worker does. */
  private void xaddNumbered(String room, int from, int to) throws Exception {
    List<Request> adds = new ArrayList<>();
    for (int n = from; n < to; n++) {
      adds.add(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*").arg(RedisStreams.INGRESS_FIELD)
          .arg(numbered(room, n)));
    }
    redis.batch(adds).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Draft n of a numbered run: payload {@code {"n": n}}. */
  private String numbered(String room, int n) {
    return HubNode.draft(id, room).put("payload", new JsonObject().put("n", n)).encode();
  }

  /**
   * The room got drafts 0 to count - 1 in the order they were added: each one once (offsets 1 to count,
   * the room's offset no further, nothing left pending), payload n rising with the offset.
   */
  private void assertPublishedInStreamOrder(RealtimeClient client, String room, int count) throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> redis(Request.cmd(Command.XPENDING).arg(RedisStreams.INGRESS)
        .arg(StreamIngress.GROUP)).get(0).toLong() == 0);
    assertThat(client.events(room)).extracting(frame -> frame.getJsonObject("event").getJsonObject("payload").getInteger("n"))
        .as("payload n in the order the room got them").containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
    assertThat(client.events(room)).extracting(frame -> frame.getLong("offset"))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, count).boxed().toList());
    assertThat(redis(Request.cmd(Command.HGET).arg("studio:rt:{" + room + "}:meta").arg("offset")).toLong())
        .as("the room's offset: nothing was published twice").isEqualTo(count);
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

  /**
   * The entry leaves the pending list. Parking comes first and the acknowledgement after it, with the
   * rest of its read batch (the two streams may live on different Cluster shards, so no transaction
   * spans them): a parked entry is acknowledged soon, not in the same instant.
   */
  private void awaitAcknowledged(String entry) {
    await().atMost(Duration.ofSeconds(10)).until(() -> pendingDeliveries(entry) == 0);
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
}

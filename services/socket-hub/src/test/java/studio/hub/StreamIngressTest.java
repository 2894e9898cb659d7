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
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_INGRESS_CLAIM_IDLE", "1s"));
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
  @DisplayName("an invalid draft is acknowledged and parked in the dead-letter stream with its reason")
  void deadLetters() throws Exception {
    String marker = "bad-" + id;
    xadd("{\"event_type\":\"" + marker + "\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> redis(Request.cmd(Command.XRANGE).arg(StreamIngress.DEAD_LETTERS)
        .arg("-").arg("+")).toString().contains(marker));
    assertThat(redis(Request.cmd(Command.XRANGE).arg(StreamIngress.DEAD_LETTERS).arg("-").arg("+")).toString())
        .contains("unknown event type");
  }
}

package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.error.CloseCode;
import studio.hub.support.HubNode;
import studio.testsupport.RealtimeClient;
import studio.hub.support.Tokens;

/** Heartbeats and shutdown: silent peers are reaped, a stopping replica sends clients elsewhere. */
@ExtendWith(VertxExtension.class)
class HubLifecycleTest {
  private final String room = "task:" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  @DisplayName("a client that stops pinging is closed with 4002 after ping interval + timeout; one that pings stays")
  void reapsSilentPeers(Vertx vertx) throws Exception {
    HubNode node = HubNode.deploy(vertx, Map.of("STUDIO_RT_PING_INTERVAL", "600ms", "STUDIO_RT_PING_TIMEOUT", "600ms"));
    RealtimeClient silent = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, room));
    RealtimeClient pinging = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, room));
    long pinger = vertx.setPeriodic(200, timer -> pinging.send(new JsonObject().put("op", "ping")));
    silent.awaitClosed();
    assertThat(silent.closeCode).isEqualTo((short) CloseCode.PING_TIMEOUT.code());
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> !pinging.isClosed());
    vertx.cancelTimer(pinger);
  }

  @Test
  @DisplayName("a replica that stops tells its clients 'draining', then closes them with 4000 so they reconnect elsewhere")
  void drainsOnShutdown(Vertx vertx) throws Exception {
    Vertx replica = Vertx.vertx();
    HubNode node = HubNode.deploy(replica, Map.of("STUDIO_RT_DRAIN_GRACE", "300ms"));
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, room));
    client.awaitReply(client.subscribe(room));
    replica.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    JsonObject draining = client.awaitFrame(frame -> "draining".equals(frame.getString("op")));
    assertThat(draining.getLong("retry_after_ms")).isPositive();
    client.awaitClosed();
    assertThat(client.closeCode).isEqualTo((short) CloseCode.DRAINING.code());
  }

  @Test
  @DisplayName("a hub stops without waiting out its ingress reader's blocking read (1 s), even when the stop comes mid-read")
  void stopsWithoutWaitingOutTheIngressRead() throws Exception {
    // Right after a deploy the new reader is between its first read and its first blocking wait: the
    // moment a stop once slipped past, opened a fresh connection and waited the whole second.
    long fastest = Long.MAX_VALUE;
    for (int attempt = 0; attempt < 3; attempt++) {
      Vertx own = Vertx.vertx();
      try {
        HubNode node = HubNode.deploy(own, Map.of());
        await().atMost(Duration.ofSeconds(10)).until(node.hub::readsIngress);
        long start = System.nanoTime();
        node.undeploy();
        fastest = Math.min(fastest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      } finally {
        own.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
    assertThat(fastest).as("the fastest of three stops, in ms").isLessThan(500);
  }
}

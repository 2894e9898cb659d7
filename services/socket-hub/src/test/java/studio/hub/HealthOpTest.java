package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.frame.ConnectionHealth;
import studio.contract.frame.FrameOp;
import studio.contract.frame.Frames;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.RealtimeClient;

/** The {@code health} op: server time and the connection's facts, as the old socket's {@code rt.health} answered. */
@ExtendWith(VertxExtension.class)
class HealthOpTest {
  private static final int RATE = 10;
  private final String room = "task:" + UUID.randomUUID().toString().substring(0, 8);
  private Vertx vertx;
  private HubNode node;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    this.vertx = vertx;
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_CLIENT_RATE", String.valueOf(RATE),
        "STUDIO_RT_CLIENT_QUEUE_MAX", "262144"));
  }

  private RealtimeClient connected(String uri) throws Exception {
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), uri);
    client.awaitFrame(frame -> Frames.opOf(frame) == FrameOp.CONNECTED);
    return client;
  }

  private static JsonObject healthOf(RealtimeClient client) {
    JsonObject ack = client.awaitReply(client.send(Frames.health()));
    assertThat(Frames.opOf(ack)).as("answer to health: %s", ack).isEqualTo(FrameOp.ACK);
    return ack.getJsonObject(Frames.HEALTH);
  }

  @Test
  @DisplayName("over WebSocket, health answers an ack with server time, node, session, transport, rooms and queue")
  void webSocketHealth() throws Exception {
    RealtimeClient client = connected("/rt/ws?token=" + Tokens.grant(vertx, room));
    String sessionId = client.frames.get(0).getString(Frames.SESSION_ID);
    client.awaitReply(client.subscribe(room));
    long before = System.currentTimeMillis();

    JsonObject health = healthOf(client);

    long serverTime = health.getLong(ConnectionHealth.SERVER_TIME_MS);
    assertThat(serverTime).isBetween(before, System.currentTimeMillis());
    assertThat(Instant.parse(health.getString(ConnectionHealth.SERVER_TIME)).toEpochMilli()).isEqualTo(serverTime);
    assertThat(health.getString(ConnectionHealth.NODE_ID)).isNotBlank();
    assertThat(health.getString(Frames.SESSION_ID)).isEqualTo(sessionId);
    assertThat(health.getString(ConnectionHealth.TRANSPORT)).isEqualTo("websocket");
    assertThat(health.getInteger(ConnectionHealth.ROOMS_SUBSCRIBED)).isEqualTo(1);
    assertThat(health.getLong(ConnectionHealth.QUEUED_BYTES)).isZero();
    assertThat(health.getLong(ConnectionHealth.QUEUE_MAX_BYTES)).isEqualTo(262144);
    assertThat(Instant.parse(health.getString(ConnectionHealth.CONNECTED_SINCE)).toEpochMilli()).isLessThanOrEqualTo(before);
    assertThat(Instant.parse(health.getString(ConnectionHealth.TOKEN_EXPIRES_AT))).isAfter(Instant.now());
    assertThat(health.getString(Frames.CONTRACT_VERSION)).isEqualTo("v1");
  }

  @Test
  @DisplayName("over SockJS, health answers alike and names the sockjs transport; the node is the same hub")
  void sockJsHealth() throws Exception {
    RealtimeClient webSocket = connected("/rt/ws?token=" + Tokens.grant(vertx, room));
    RealtimeClient sockJs = connected("/rt/sockjs/websocket");
    sockJs.awaitReply(sockJs.send(Frames.auth(Tokens.grant(vertx, room))));

    JsonObject health = healthOf(sockJs);

    assertThat(health.getString(ConnectionHealth.TRANSPORT)).isEqualTo("sockjs");
    assertThat(health.getInteger(ConnectionHealth.ROOMS_SUBSCRIBED)).isZero();
    assertThat(health.getString(ConnectionHealth.NODE_ID)).isEqualTo(healthOf(webSocket).getString(ConnectionHealth.NODE_ID));
  }

  @Test
  @DisplayName("unknown fields are ignored, as for every other op")
  void unknownFieldsIgnored() throws Exception {
    RealtimeClient client = connected("/rt/ws?token=" + Tokens.grant(vertx, room));
    JsonObject ack = client.awaitReply(client.send(Frames.health().put("verbose", true).put("rooms", "not rooms")));
    assertThat(ack.getJsonObject(Frames.HEALTH).getString(ConnectionHealth.TRANSPORT)).isEqualTo("websocket");
  }

  @Test
  @DisplayName("before authentication, health is refused as unauthenticated, like subscribe")
  void needsAuthentication() throws Exception {
    RealtimeClient client = connected("/rt/ws");
    JsonObject error = client.awaitReply(client.send(Frames.health()));
    assertThat(Frames.opOf(error)).isEqualTo(FrameOp.ERROR);
    assertThat(error.getString(Frames.CODE)).isEqualTo("unauthenticated");
    assertThat(client.isClosed()).isFalse();
  }

  @Test
  @DisplayName("health counts against the frame rate: a burst past it gets rate_limited errors, not answers")
  void rateLimited() throws Exception {
    RealtimeClient client = connected("/rt/ws?token=" + Tokens.grant(vertx, room));
    int burst = RATE * 2 + 10;
    IntStream.range(0, burst).forEach(i -> client.sendRaw(Frames.health().put(Frames.ID, "h" + i).encode()));
    client.awaitFrame(frame -> "rate_limited".equals(frame.getString(Frames.CODE)));
    client.awaitFrame(frame -> ("h" + (RATE * 2 - 1)).equals(frame.getString(Frames.ID)));
    long answered = client.frames.stream().filter(frame -> frame.containsKey(Frames.HEALTH)).count();
    assertThat(answered).isLessThan(burst).isGreaterThanOrEqualTo(RATE * 2);
  }
}

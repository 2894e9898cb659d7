package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.error.CloseCode;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.runtime.auth.RealtimeTokens;
import studio.testsupport.RealtimeClient;

/** One hub on real Redis, driven over a real WebSocket as a browser would. */
@ExtendWith(VertxExtension.class)
class HubSessionTest {
  private HubNode node;
  private Vertx vertx;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String task = "task:" + id;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    this.vertx = vertx;
    node = HubNode.deploy(vertx, Map.of(
        "STUDIO_CORS_ALLOWED_ORIGINS", "https://studio.example.com",
        "STUDIO_RT_AUTH_TIMEOUT", "500ms",
        "STUDIO_RT_HISTORY_SIZE", "600",
        "STUDIO_RT_CLIENT_RATE", "20",
        "STUDIO_RT_FRAME_MAX", "2048"));
  }

  private RealtimeClient connect(String... grants) throws Exception {
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, grants));
    client.awaitFrame(frame -> "connected".equals(frame.getString("op")));
    return client;
  }

  private void assertStillServing(RealtimeClient client) {
    String ping = client.send(new JsonObject().put("op", "ping"));
    assertThat(client.awaitReply(ping).getString("op")).isEqualTo("pong");
  }

  @Test
  @DisplayName("connected, subscribe, ack with the room's position, then published events arrive in order")
  void subscribeAndReceive() throws Exception {
    RealtimeClient client = connect("task:*");
    JsonObject connected = client.frames.get(0);
    assertThat(connected.getString("contract_version")).isEqualTo("v1");
    assertThat(connected.getLong("ping_interval_ms")).isEqualTo(25_000);
    JsonObject ack = client.awaitReply(client.subscribe(task));
    assertThat(ack.getString("op")).isEqualTo("ack");
    assertThat(ack.getJsonObject("rooms").getJsonObject(task).getLong("offset")).isZero();
    for (int i = 0; i < 3; i++) {
      node.publish(HubNode.draft(id, task));
    }
    client.awaitEvents(task, 3);
    List<JsonObject> events = client.events(task);
    assertThat(events).extracting(e -> e.getLong("offset")).containsExactly(1L, 2L, 3L);
    assertThat(events.get(2).getJsonObject("event").getLong("sequence")).isEqualTo(3);
    assertThat(events.get(0).getJsonObject("event").getString("sequence_stream")).isEqualTo("task:" + id);
  }

  @Test
  @DisplayName("a client may authenticate with an auth frame instead of the URL")
  void authFrame() throws Exception {
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws");
    String auth = client.send(new JsonObject().put("op", "auth").put("token", Tokens.grant(vertx, task)));
    assertThat(client.awaitReply(auth).getString("op")).isEqualTo("ack");
    assertThat(client.awaitReply(client.subscribe(task)).getString("op")).isEqualTo("ack");
  }

  @Test
  @DisplayName("without a token within the auth deadline: unauthenticated, then closed with 4500")
  void authDeadline() throws Exception {
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws");
    assertThat(client.awaitFrame(f -> "error".equals(f.getString("op"))).getString("code")).isEqualTo("unauthenticated");
    client.awaitClosed();
    assertThat(client.closeCode).isEqualTo((short) CloseCode.UNAUTHENTICATED.code());
  }

  @Test
  @DisplayName("subscribing before authenticating is refused as unauthenticated")
  void subscribeBeforeAuth() throws Exception {
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws");
    assertThat(client.awaitReply(client.subscribe(task)).getString("code")).isEqualTo("unauthenticated");
  }

  @Test
  @DisplayName("an expired token is refused and the connection closed")
  void expiredToken() throws Exception {
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, -60, task));
    JsonObject error = client.awaitFrame(f -> "error".equals(f.getString("op")));
    assertThat(error.getString("code")).isEqualTo("unauthenticated");
    client.awaitClosed();
    assertThat(client.closeCode).isEqualTo((short) CloseCode.UNAUTHENTICATED.code());
  }

  @Test
  @DisplayName("a token signed with another secret is refused")
  void foreignToken() throws Exception {
    String forged = RealtimeTokens.create(vertx, "another-secret-0123456789abcdef0123")
        .mint("mallory", List.of("*"), Duration.ofMinutes(1));
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + forged);
    assertThat(client.awaitFrame(f -> "error".equals(f.getString("op"))).getString("code")).isEqualTo("unauthenticated");
  }

  @Test
  @DisplayName("a page from a foreign origin cannot open a connection (403 at the handshake)")
  void foreignOrigin() throws Exception {
    Throwable failure = RealtimeClient.connect(vertx, node.port(), "/rt/ws", "https://evil.example.net")
        .toCompletionStage().toCompletableFuture().handle((client, error) -> error).get(10, TimeUnit.SECONDS);
    assertThat(failure).isNotNull().hasMessageContaining("403");
    RealtimeClient allowed = RealtimeClient.connect(vertx, node.port(), "/rt/ws", "https://studio.example.com")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(allowed.isClosed()).isFalse();
  }

  @Test
  @DisplayName("a room the token does not grant is forbidden_room; the connection keeps working")
  void forbiddenRoom() throws Exception {
    RealtimeClient client = connect("thread:12");
    JsonObject error = client.awaitReply(client.subscribe("run:7"));
    assertThat(error.getString("code")).isEqualTo("forbidden_room");
    assertThat(error.getString("message")).contains("run:7");
    assertStillServing(client);
  }

  @Test
  @DisplayName("bad_frame, unknown_op, invalid_room and too_large each get their error and the connection survives")
  void errorCodes() throws Exception {
    RealtimeClient client = connect("*");
    client.sendRaw("{not json");
    assertThat(client.awaitFrame(f -> "bad_frame".equals(f.getString("code"))).getString("op")).isEqualTo("error");
    assertThat(client.awaitReply(client.send(new JsonObject().put("op", "explode"))).getString("code"))
        .isEqualTo("unknown_op");
    assertThat(client.awaitReply(client.subscribe("user:1")).getString("code")).isEqualTo("invalid_room");
    client.sendRaw(new JsonObject().put("op", "ping").put("pad", "x".repeat(4096)).encode());
    assertThat(client.awaitFrame(f -> "too_large".equals(f.getString("code"))).getString("message")).contains("2048");
    assertStillServing(client);
  }

  @Test
  @DisplayName("a client flooding frames gets rate_limited errors and the hub keeps serving others")
  void rateLimited() throws Exception {
    RealtimeClient flooder = connect("*");
    IntStream.range(0, 100).forEach(i -> flooder.sendRaw("{\"op\":\"ping\"}"));
    assertThat(flooder.awaitFrame(f -> "rate_limited".equals(f.getString("code"))).getString("op")).isEqualTo("error");
    assertStillServing(connect("*"));
  }

  /** A client that saw offset 1 of the room and disconnected; returns that event frame. */
  private JsonObject receiveOneThenLeave() throws Exception {
    RealtimeClient first = connect(task);
    first.awaitReply(first.subscribe(task));
    node.publish(HubNode.draft(id, task));
    first.awaitEvents(task, 1);
    first.close();
    return first.events(task).get(0);
  }

  @Test
  @DisplayName("resume with since: exactly the 500 missed events, recovered:true, nothing twice")
  void resumeWithinHistory() throws Exception {
    JsonObject last = receiveOneThenLeave();
    node.publishAll(Collections.nCopies(500, HubNode.draft(id, task)), 50);
    RealtimeClient second = connect(task);
    JsonObject since = new JsonObject().put(task, new JsonObject().put("offset", last.getLong("offset"))
        .put("epoch", last.getString("epoch")));
    JsonObject ack = second.awaitReply(second.subscribe(since, task));
    assertThat(ack.getJsonObject("rooms").getJsonObject(task).getBoolean("recovered")).isTrue();
    second.awaitEvents(task, 500);
    node.publish(HubNode.draft(id, task));
    second.awaitEvents(task, 501);
    assertThat(second.events(task)).extracting(e -> e.getLong("offset"))
        .containsExactlyElementsOf(IntStream.rangeClosed(2, 502).mapToObj(i -> (long) i).toList());
  }

  @Test
  @DisplayName("resume from before the history window answers recovered:false and continues live")
  void resumeBeyondHistory() throws Exception {
    JsonObject last = receiveOneThenLeave();
    node.publishAll(Collections.nCopies(700, HubNode.draft(id, task)), 50);
    RealtimeClient second = connect(task);
    JsonObject since = new JsonObject().put(task, new JsonObject().put("offset", 1).put("epoch", last.getString("epoch")));
    JsonObject room = second.awaitReply(second.subscribe(since, task)).getJsonObject("rooms").getJsonObject(task);
    assertThat(room.getBoolean("recovered")).isFalse();
    assertThat(room.getLong("offset")).isEqualTo(701);
    node.publish(HubNode.draft(id, task));
    second.awaitEvents(task, 1);
    assertThat(second.events(task)).extracting(e -> e.getLong("offset")).containsExactly(702L);
  }

  @Test
  @DisplayName("resume with an epoch the room never had answers recovered:false")
  void resumeWrongEpoch() throws Exception {
    node.publish(HubNode.draft(id, task));
    RealtimeClient client = connect(task);
    JsonObject since = new JsonObject().put(task, new JsonObject().put("offset", 1).put("epoch", "stale"));
    assertThat(client.awaitReply(client.subscribe(since, task)).getJsonObject("rooms").getJsonObject(task)
        .getBoolean("recovered")).isFalse();
  }

  @Test
  @DisplayName("after unsubscribe, the room's events stop arriving")
  void unsubscribe() throws Exception {
    RealtimeClient client = connect("*");
    String other = "run:" + id;
    client.awaitReply(client.subscribe(task, other));
    client.awaitReply(client.send(new JsonObject().put("op", "unsubscribe")
        .put("rooms", new JsonArray().add(task))));
    node.publish(HubNode.draft(id, task, other));
    client.awaitEvents(other, 1);
    assertThat(client.events(task)).isEmpty();
  }
}

package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;

/** The stateless long-poll fallback: any replica answers from history, or holds until an event. */
@ExtendWith(VertxExtension.class)
class LongPollTest {
  private HubNode node;
  private WebClient http;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String room = "task:" + id;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_POLL_TIMEOUT", "30s"));
    http = studio.testsupport.HttpClients.of(vertx);
  }

  private Future<HttpResponse<Buffer>> poll(String token, JsonObject since) {
    var request = http.get(node.port(), "127.0.0.1", "/rt/poll").addQueryParam("rooms", room);
    if (since != null) {
      request.addQueryParam("since", since.encode());
    }
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("without since: the room's current position at once, no events")
  void position() throws Exception {
    node.publish(HubNode.draft(id, room));
    JsonObject answer = await(poll(Tokens.grant(node.vertx, room), null)).bodyAsJsonObject();
    assertThat(answer.getJsonObject("rooms").getJsonObject(room).getLong("offset")).isEqualTo(1);
    assertThat(answer.getJsonArray("events")).isEmpty();
  }

  @Test
  @DisplayName("with since behind the room: the missed events at once, and the new resume point")
  void catchUp() throws Exception {
    JsonObject first = node.publish(HubNode.draft(id, room));
    node.publish(HubNode.draft(id, room));
    node.publish(HubNode.draft(id, room));
    JsonObject position = await(poll(Tokens.grant(node.vertx, room), null)).bodyAsJsonObject()
        .getJsonObject("rooms").getJsonObject(room);
    JsonObject since = new JsonObject().put(room, new JsonObject().put("offset", 1).put("epoch", position.getString("epoch")));
    JsonObject answer = await(poll(Tokens.grant(node.vertx, room), since)).bodyAsJsonObject();
    assertThat(answer.getJsonArray("events").stream().map(e -> ((JsonObject) e).getLong("offset")))
        .containsExactly(2L, 3L);
    assertThat(answer.getJsonObject("rooms").getJsonObject(room).getLong("offset")).isEqualTo(3);
    assertThat(answer.getJsonObject("rooms").getJsonObject(room).getBoolean("recovered")).isTrue();
    assertThat(first.getString("event_id")).isNotBlank();
  }

  @Test
  @DisplayName("with since up to date: the request is held until the next event, which it returns")
  void heldUntilEvent() throws Exception {
    node.publish(HubNode.draft(id, room));
    String epoch = await(poll(Tokens.grant(node.vertx, room), null)).bodyAsJsonObject()
        .getJsonObject("rooms").getJsonObject(room).getString("epoch");
    Future<HttpResponse<Buffer>> held = poll(Tokens.grant(node.vertx, room),
        new JsonObject().put(room, new JsonObject().put("offset", 1).put("epoch", epoch)));
    // Parked: the poll listens on the room (the hub's stats count it) and has not answered.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> await(
        http.get(node.port(), "127.0.0.1", "/rt/stats").send()).bodyAsJsonObject().getInteger("rooms") == 1);
    assertThat(held.isComplete()).isFalse();
    node.publish(HubNode.draft(id, room));
    JsonObject answer = await(held).bodyAsJsonObject();
    assertThat(answer.getJsonArray("events").stream().map(e -> ((JsonObject) e).getLong("offset"))).containsExactly(2L);
  }

  @Test
  @DisplayName("no token is 401, a room the token does not grant is 403 forbidden_room")
  void refused() throws Exception {
    assertThat(await(poll(null, null)).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> forbidden = await(poll(Tokens.grant(node.vertx, "run:1"), null));
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("forbidden_room");
  }

  @Test
  @DisplayName("CORS preflight for the Authorization header: allowed origins get it, others 403")
  void preflight() throws Exception {
    HubNode restricted = HubNode.deploy(Vertx.vertx(), Map.of("STUDIO_CORS_ALLOWED_ORIGINS", "https://studio.example.com"));
    try {
      HttpResponse<Buffer> allowed = await(http.request(io.vertx.core.http.HttpMethod.OPTIONS, restricted.port(),
              "127.0.0.1", "/rt/poll").putHeader("Origin", "https://studio.example.com")
          .putHeader("Access-Control-Request-Method", "GET").putHeader("Access-Control-Request-Headers", "authorization")
          .send());
      assertThat(allowed.statusCode()).isEqualTo(204);
      assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://studio.example.com");
      assertThat(allowed.getHeader("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");

      HttpResponse<Buffer> foreign = await(http.request(io.vertx.core.http.HttpMethod.OPTIONS, restricted.port(),
              "127.0.0.1", "/rt/poll").putHeader("Origin", "https://evil.example")
          .putHeader("Access-Control-Request-Method", "GET").send());
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(foreign.getHeader("Access-Control-Allow-Origin")).isNull();
    } finally {
      await(restricted.vertx.close());
    }
  }
}

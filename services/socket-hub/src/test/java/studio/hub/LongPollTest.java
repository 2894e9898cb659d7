package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import studio.contract.bus.Addresses;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.HttpClients;

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
    http = HttpClients.of(vertx);
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

  private Future<HttpResponse<Buffer>> poll(String token, JsonObject since, String rawSince) {
    return http.get(node.port(), "127.0.0.1", "/rt/poll").addQueryParam("rooms", room).addQueryParam("since", rawSince)
        .putHeader("Authorization", "Bearer " + token).send();
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
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> await(
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
      HttpResponse<Buffer> allowed = await(http.request(HttpMethod.OPTIONS, restricted.port(),
              "127.0.0.1", "/rt/poll").putHeader("Origin", "https://studio.example.com")
          .putHeader("Access-Control-Request-Method", "GET").putHeader("Access-Control-Request-Headers", "authorization")
          .send());
      assertThat(allowed.statusCode()).isEqualTo(204);
      assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://studio.example.com");
      assertThat(allowed.getHeader("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");

      HttpResponse<Buffer> foreign = await(http.request(HttpMethod.OPTIONS, restricted.port(),
              "127.0.0.1", "/rt/poll").putHeader("Origin", "https://evil.example")
          .putHeader("Access-Control-Request-Method", "GET").send());
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(foreign.getHeader("Access-Control-Allow-Origin")).isNull();
    } finally {
      await(restricted.vertx.close());
    }
  }

  @Test
  @DisplayName("steady traffic, polls alternating between two replicas: every event once, contiguous from since")
  void gapFreeUnderTrafficAcrossReplicas() throws Exception {
    HubNode other = HubNode.deploy(Vertx.vertx(), Map.of("STUDIO_RT_POLL_TIMEOUT", "30s"));
    try {
      int total = 200;
      node.publish(HubNode.draft(id, room));
      JsonObject start = await(poll(Tokens.grant(node.vertx, room), null)).bodyAsJsonObject()
          .getJsonObject("rooms").getJsonObject(room);
      // About 150 events a second from a publisher that does not wait for the poller.
      AtomicInteger published = new AtomicInteger(1);
      long publisher = node.vertx.setPeriodic(20, t -> {
        for (int i = 0; i < 3 && published.get() < total; i++) {
          published.incrementAndGet();
          node.vertx.eventBus().request(Addresses.PUBLISH, HubNode.draft(id, room));
        }
      });
      List<Long> received = new ArrayList<>();
      JsonObject since = new JsonObject().put(room, start);
      String token = Tokens.grant(node.vertx, room);
      try {
        for (int i = 0; received.size() < total - 1 && i < 2_000; i++) {
          HubNode replica = i % 2 == 0 ? node : other;
          JsonObject answer = await(http.get(replica.port(), "127.0.0.1", "/rt/poll").addQueryParam("rooms", room)
              .addQueryParam("since", since.encode()).putHeader("Authorization", "Bearer " + token).send())
              .bodyAsJsonObject();
          JsonObject position = answer.getJsonObject("rooms").getJsonObject(room);
          assertThat(position.getBoolean("recovered")).as("poll %d from %s", i, since).isTrue();
          answer.getJsonArray("events").forEach(e -> received.add(((JsonObject) e).getLong("offset")));
          since = new JsonObject().put(room, new JsonObject().put("offset", position.getLong("offset"))
              .put("epoch", position.getString("epoch")));
        }
      } finally {
        node.vertx.cancelTimer(publisher);
      }
      assertThat(received).as("offsets 2..%d, once each, in order", total)
          .containsExactlyElementsOf(LongStream.rangeClosed(2, total).boxed().toList());
    } finally {
      await(other.vertx.close());
    }
  }

  @ParameterizedTest(name = "since={0} is 400 naming {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"ROOM\":{\"offset\":-5,\"epoch\":\"e\"}}|since.ROOM.offset",
      "{\"ROOM\":{\"offset\":1e19,\"epoch\":\"e\"}}|since.ROOM.offset",
      "{\"ROOM\":{\"offset\":10000000000000000000}}|since.ROOM.offset",
      "{\"ROOM\":{\"offset\":1.5}}|since.ROOM.offset",
      "{\"ROOM\":{\"offset\":\"7\"}}|since.ROOM.offset",
      "{\"ROOM\":{\"offset\":3,\"epoch\":42}}|since.ROOM.epoch",
      "{\"ROOM\":7}|since.ROOM",
      "[1,2]|since",
      "7|since"})
  @DisplayName("malformed since: 400 invalid_request naming the field, never 5xx or internal text")
  void malformedSince(String since, String field) throws Exception {
    HttpResponse<Buffer> answer = await(poll(Tokens.grant(node.vertx, room), null, since.replace("ROOM", room)));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(400);
    JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_request");
    assertThat(error.getString("field")).isEqualTo(field.replace("ROOM", room));
    assertThat(error.getString("message")).doesNotContainIgnoringCase("lua").doesNotContainIgnoringCase("redis");
  }

  @Test
  @DisplayName("a client that goes away mid-poll releases its room at once, not at the poll timeout")
  void abandonedPollReleasesRoom() throws Exception {
    node.publish(HubNode.draft(id, room));
    String epoch = await(poll(Tokens.grant(node.vertx, room), null)).bodyAsJsonObject()
        .getJsonObject("rooms").getJsonObject(room).getString("epoch");
    HttpClient raw = node.vertx.createHttpClient();
    HttpClientRequest request = await(raw.request(HttpMethod.GET, node.port(),
        "127.0.0.1", "/rt/poll?rooms=" + room + "&since=" + URLEncoder.encode(
            new JsonObject().put(room, new JsonObject().put("offset", 1).put("epoch", epoch)).encode(),
            StandardCharsets.UTF_8)));
    request.putHeader("Authorization", "Bearer " + Tokens.grant(node.vertx, room)).end();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stats().getInteger("rooms") == 1);
    await(request.connection().close());
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> stats().getInteger("rooms") == 0);
  }

  @Test
  @DisplayName("over the per-replica long-poll cap: 503 unavailable with Retry-After, parked polls unaffected")
  void concurrentPollCap() throws Exception {
    HubNode capped = HubNode.deploy(Vertx.vertx(), Map.of("STUDIO_RT_POLL_TIMEOUT", "30s", "STUDIO_RT_POLL_MAX", "2"));
    try {
      capped.publish(HubNode.draft(id, room));
      String token = Tokens.grant(capped.vertx, room);
      WebClient client = HttpClients.of(capped.vertx);
      String epoch = await(client.get(capped.port(), "127.0.0.1", "/rt/poll").addQueryParam("rooms", room)
          .putHeader("Authorization", "Bearer " + token).send()).bodyAsJsonObject()
          .getJsonObject("rooms").getJsonObject(room).getString("epoch");
      String since = new JsonObject().put(room, new JsonObject().put("offset", 1).put("epoch", epoch)).encode();
      List<Future<HttpResponse<Buffer>>> parked = IntStream.range(0, 2)
          .mapToObj(i -> client.get(capped.port(), "127.0.0.1", "/rt/poll").addQueryParam("rooms", room)
              .addQueryParam("since", since).putHeader("Authorization", "Bearer " + token).send()).toList();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> await(
          client.get(capped.port(), "127.0.0.1", "/rt/stats").send()).bodyAsJsonObject().getInteger("long_polls") == 2);
      HttpResponse<Buffer> refused = await(client.get(capped.port(), "127.0.0.1", "/rt/poll").addQueryParam("rooms", room)
          .addQueryParam("since", since).putHeader("Authorization", "Bearer " + token).send());
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.getHeader("Retry-After")).isNotBlank();
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("STUDIO_RT_POLL_MAX");
      capped.publish(HubNode.draft(id, room));
      for (Future<HttpResponse<Buffer>> poll : parked) {
        assertThat(await(poll).bodyAsJsonObject().getJsonArray("events")).hasSize(1);
      }
    } finally {
      await(capped.vertx.close());
    }
  }

  private JsonObject stats() throws Exception {
    return await(http.get(node.port(), "127.0.0.1", "/rt/stats").send()).bodyAsJsonObject();
  }
}

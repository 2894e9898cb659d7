package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.LogLines;

/** SockJS's HTTP transport (xhr polling), for clients behind proxies that break WebSocket. */
@ExtendWith(VertxExtension.class)
class SockJsHttpTransportTest {
  /** A field: Vert.x 5 closes a client that is garbage collected. */
  private WebClient http;

  @Test
  @DisplayName("over xhr polling a client authenticates, subscribes and receives events in the same frames")
  void xhrPolling(Vertx vertx) throws Exception {
    HubNode node = HubNode.deploy(vertx, Map.of());
    String session = openSession(vertx, node);
    String room = "task:" + UUID.randomUUID().toString().substring(0, 8);
    List<JsonObject> frames = new ArrayList<>();

    send(http, node, session, new JsonObject().put("op", "auth").put("id", "a").put("token", Tokens.grant(vertx, room)));
    send(http, node, session, new JsonObject().put("op", "subscribe").put("id", "s").put("rooms", new JsonArray().add(room)));
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      frames.addAll(messages(call(http, node, session + "/xhr", null).bodyAsString()));
      return frames.stream().anyMatch(f -> "s".equals(f.getString("id")));
    });
    node.publish(HubNode.draft(room.substring(5), room));
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      frames.addAll(messages(call(http, node, session + "/xhr", null).bodyAsString()));
      return frames.stream().anyMatch(f -> "event".equals(f.getString("op")));
    });
    JsonObject event = frames.stream().filter(f -> "event".equals(f.getString("op"))).findFirst().orElseThrow();
    assertThat(event.getString("room")).isEqualTo(room);
    assertThat(event.getLong("offset")).isEqualTo(1);
  }

  /** Before, each such POST also logged "Unhandled exception in router" at ERROR (no failure handler on the route). */
  @Test
  @DisplayName("an xhr_send body over 1 MiB is 413, without an ERROR from the hub's router")
  void oversizedSendIsRefusedQuietly(Vertx vertx) throws Exception {
    HubNode node = HubNode.deploy(vertx, Map.of());
    String session = openSession(vertx, node);
    try (LogLines lines = LogLines.of("io.vertx.ext.web")) {
      HttpResponse<Buffer> refused = call(http, node, session + "/xhr_send", Buffer.buffer("x".repeat(1024 * 1024 + 1)));
      assertThat(refused.statusCode()).isEqualTo(413);
      assertThat(lines.atLeast(Level.ERROR)).isEmpty();
    }
  }

  /** A new xhr-polling session, opened ({@code o}); its path. */
  private String openSession(Vertx vertx, HubNode node) throws Exception {
    // SockJS may close a polling connection right after answering; a fresh connection per request
    // keeps the client from reusing one the server is closing.
    http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    String session = "/rt/sockjs/000/" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(call(http, node, session + "/xhr", null).bodyAsString()).isEqualTo("o\n");
    return session;
  }

  private static HttpResponse<Buffer> call(WebClient http, HubNode node, String path, Buffer body) throws Exception {
    return http.post(node.port(), "127.0.0.1", path).sendBuffer(body == null ? Buffer.buffer() : body)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void send(WebClient http, HubNode node, String session, JsonObject frame) throws Exception {
    HttpResponse<Buffer> response = call(http, node, session + "/xhr_send",
        Buffer.buffer(new JsonArray().add(frame.encode()).encode()));
    assertThat(response.statusCode()).isEqualTo(204);
  }

  /** SockJS wraps messages as {@code a["<frame>", ...]}; heartbeats ({@code h}) carry none. */
  private static List<JsonObject> messages(String body) {
    List<JsonObject> frames = new ArrayList<>();
    if (body.startsWith("a")) {
      new JsonArray(body.substring(1).trim()).forEach(text -> frames.add(new JsonObject((String) text)));
    }
    return frames;
  }
}

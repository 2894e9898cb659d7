package studio.hub.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.HttpClients;
import studio.testsupport.LogLines;

/** The Socket.IO endpoint on one hub (memory broker): Engine.IO conformance, then namespace /rt. */
@ExtendWith(VertxExtension.class)
class SocketIoEndpointTest {
  private static final Duration PING = Duration.ofMillis(400);
  private HubNode node;
  /** Held: Vert.x 5 closes a collected client and its sockets. */
  private WebSocketClient sockets;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_BROKER", "memory", "REDIS_URL", "redis://127.0.0.1:1",
        "STUDIO_RT_PING_INTERVAL", PING.toMillis() + "ms", "STUDIO_RT_PING_TIMEOUT", PING.toMillis() + "ms",
        "STUDIO_CORS_ALLOWED_ORIGINS", "https://studio.example.com"));
  }

  @Test
  @DisplayName("the polling handshake answers an OPEN packet with sid, upgrades [websocket], ping timing and maxPayload")
  void handshake(Vertx vertx) throws Exception {
    EngineIoClient client = new EngineIoClient(vertx).open(node.port(), "");
    assertThat(client.handshake.fieldNames()).containsExactlyInAnyOrder("sid", "upgrades", "pingInterval", "pingTimeout",
        "maxPayload");
    assertThat(client.handshake.getJsonArray("upgrades")).containsExactly("websocket");
    assertThat(client.handshake.getLong("pingInterval")).isEqualTo(PING.toMillis());
    assertThat(client.handshake.getLong("pingTimeout")).isEqualTo(PING.toMillis());
    assertThat(client.handshake.getInteger("maxPayload")).isEqualTo(64 * 1024);
  }

  @Test
  @DisplayName("a held poll is answered by a ping after pingInterval; a pong keeps the session, a missed pong ends it")
  void pingPongTiming(Vertx vertx) throws Exception {
    EngineIoClient client = new EngineIoClient(vertx).open(node.port(), "");
    client.autoPong = false;
    long started = System.nanoTime();
    assertThat(client.poll(node.port())).containsExactly("2");
    long waitedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(waitedMs).isBetween(PING.toMillis() - 150, PING.toMillis() + 1000);
    assertThat(client.post(node.port(), "3").bodyAsString()).isEqualTo("ok");
    assertThat(client.poll(node.port())).containsExactly("2");
    // No pong this time: pingTimeout later the session closes, and the next poll gets CLOSE or an unknown sid.
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      try {
        return client.poll(node.port()).contains("1");
      } catch (IllegalStateException gone) {
        return gone.getMessage().contains("Session ID unknown");
      }
    });
  }

  /**
   * A polling POST past maxPayload is the client's mistake: before, it reached Vert.x's router with no
   * failure handler, which logged "Unhandled exception in router" at ERROR for each such request.
   */
  @Test
  @DisplayName("a polling POST one byte over maxPayload is 413, without an ERROR from the hub's router")
  void oversizedPostIsRefusedQuietly(Vertx vertx) throws Exception {
    try (LogLines lines = LogLines.of("io.vertx.ext.web")) {
      EngineIoClient client = new EngineIoClient(vertx).open(node.port(), "");
      // "4" (MESSAGE) and text: exactly maxPayload + 1 bytes in all.
      assertThat(client.post(node.port(), "4" + "x".repeat(64 * 1024)).statusCode()).isEqualTo(413);
      assertThat(client.post(node.port(), "4" + "x".repeat(64 * 1024 - 1)).statusCode()).isEqualTo(200);
      assertThat(lines.atLeast(Level.ERROR)).isEmpty();
    }
  }

  @Test
  @DisplayName("Engine.IO errors: unsupported EIO is code 5, unknown transport 0, unknown sid 1, a foreign origin 403")
  void engineErrors(Vertx vertx) throws Exception {
    var version = EngineIoClient.get(vertx, node.port(), "/socket.io/?EIO=3&transport=polling");
    assertThat(version.statusCode()).isEqualTo(400);
    assertThat(version.bodyAsJsonObject().getInteger("code")).isEqualTo(5);
    var transport = EngineIoClient.get(vertx, node.port(), "/socket.io/?EIO=4&transport=flash");
    assertThat(transport.bodyAsJsonObject().getInteger("code")).isEqualTo(0);
    var sid = EngineIoClient.get(vertx, node.port(), "/socket.io/?EIO=4&transport=polling&sid=nobody");
    assertThat(sid.statusCode()).isEqualTo(400);
    assertThat(sid.bodyAsJsonObject().getInteger("code")).isEqualTo(1);
    var origin = HttpClients.of(vertx).get(node.port(), "127.0.0.1", "/socket.io/?EIO=4&transport=polling")
        .putHeader("Origin", "https://evil.example").send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(origin.statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("over polling: CONNECT /rt with auth, subscribe with one forbidden room, events under event_type and rt.event")
  void pollingSession(Vertx vertx) throws Exception {
    EngineIoClient client = new EngineIoClient(vertx).open(node.port(), "");
    String token = Tokens.grant(vertx, "task:sio1");
    assertThat(client.post(node.port(), "40/rt,{\"token\":\"" + token + "\"}").bodyAsString()).isEqualTo("ok");
    String connected = pollUntil(client, packet -> packet.startsWith("40/rt,"));
    assertThat(connected).startsWith("40/rt,");
    assertThat(new JsonObject(connected.substring("40/rt,".length())).getString("sid")).isNotBlank();

    client.post(node.port(), "42/rt,7[\"rt.subscribe\",{\"rooms\":[\"task:sio1\",\"task:other\"]}]");
    String ack = pollUntil(client, packet -> packet.startsWith("43/rt,7"));
    JsonObject rooms = new JsonArray(ack.substring("43/rt,7".length())).getJsonObject(0).getJsonObject("rooms");
    assertThat(rooms.getJsonObject("task:sio1").getLong("offset")).isZero();
    assertThat(rooms.getJsonObject("task:other").getJsonObject("error").getString("code")).isEqualTo("forbidden_room");

    node.publish(HubNode.draft("sio1", "task:sio1"));
    node.publish(HubNode.draft("sio1", "task:sio1"));
    List<String> events = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      client.poll(node.port()).stream().filter(packet -> packet.startsWith("42/rt,")).forEach(events::add);
      return events.size() >= 4;
    });
    assertThat(events.get(0)).startsWith("42/rt,[\"node.task.updated\",{");
    JsonObject generic = new JsonArray(events.get(1).substring("42/rt,".length())).getJsonObject(1);
    assertThat(generic.getString("room")).isEqualTo("task:sio1");
    assertThat(generic.getLong("offset")).isEqualTo(1);
    assertThat(generic.getString("epoch")).isNotBlank();
    assertThat(generic.getJsonObject("event").getString("event_type")).isEqualTo("node.task.updated");
    assertThat(new JsonArray(events.get(3).substring("42/rt,".length())).getJsonObject(1).getLong("offset")).isEqualTo(2);

    client.post(node.port(), "42/rt,8[\"rt.health\"]");
    String health = pollUntil(client, packet -> packet.startsWith("43/rt,8"));
    JsonObject facts = new JsonArray(health.substring("43/rt,8".length())).getJsonObject(0);
    assertThat(facts.getString("transport")).isEqualTo("polling");
    assertThat(facts.getJsonArray("rooms")).containsExactly("task:sio1");
    assertThat(facts.getString("server_time")).isNotBlank();
  }

  @Test
  @DisplayName("a bad token is a CONNECT_ERROR naming unauthenticated; a namespace other than /rt is Invalid namespace")
  void refusedConnect(Vertx vertx) throws Exception {
    EngineIoClient client = new EngineIoClient(vertx).open(node.port(), "");
    client.post(node.port(), "40/rt,{\"token\":\"forged\"}", "40/chat,");
    List<String> packets = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      packets.addAll(client.poll(node.port()));
      return packets.stream().filter(packet -> packet.startsWith("44/")).count() == 2;
    });
    String refused = packets.stream().filter(packet -> packet.startsWith("44/rt,")).findFirst().orElseThrow();
    JsonObject error = new JsonObject(refused.substring("44/rt,".length()));
    assertThat(error.getString("message")).contains("token rejected");
    assertThat(error.getJsonObject("data").getString("code")).isEqualTo("unauthenticated");
    assertThat(packets).contains("44/chat,{\"message\":\"Invalid namespace\"}");
  }

  @Test
  @DisplayName("over WebSocket from the start: OPEN without upgrades, then CONNECT with the query token and events")
  void webSocketSession(Vertx vertx) throws Exception {
    String token = Tokens.grant(vertx, "task:ws1");
    List<String> received = new CopyOnWriteArrayList<>();
    WebSocket ws = webSocket(vertx, "/socket.io/?EIO=4&transport=websocket&token=" + token, received);
    await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());
    assertThat(received.get(0)).startsWith("0{");
    assertThat(new JsonObject(received.get(0).substring(1)).getJsonArray("upgrades")).isEmpty();
    ws.writeTextMessage("40/rt,");
    await().atMost(Duration.ofSeconds(5)).until(() -> received.stream().anyMatch(text -> text.startsWith("40/rt,{\"sid\"")));
    ws.writeTextMessage("42/rt,1[\"rt.subscribe\",{\"rooms\":[\"task:ws1\"]}]");
    await().atMost(Duration.ofSeconds(5)).until(() -> received.stream().anyMatch(text -> text.startsWith("43/rt,1")));
    node.publish(HubNode.draft("ws1", "task:ws1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> received.stream().anyMatch(text -> text.startsWith("42/rt,[\"rt.event\"")));
    // The heartbeat: the hub pings over the socket too.
    await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("2"));
  }

  @Test
  @DisplayName("upgrade: a polling session probes a WebSocket (2probe/3probe), sends 5, and its events then arrive on the socket")
  void upgrade(Vertx vertx) throws Exception {
    EngineIoClient client = new EngineIoClient(vertx).open(node.port(), "");
    client.post(node.port(), "40/rt,{\"token\":\"" + Tokens.grant(vertx, "task:up1") + "\"}",
        "42/rt,1[\"rt.subscribe\",{\"rooms\":[\"task:up1\"]}]");
    pollUntil(client, packet -> packet.startsWith("43/rt,1"));
    List<String> received = new CopyOnWriteArrayList<>();
    WebSocket ws = webSocket(vertx, "/socket.io/?EIO=4&transport=websocket&sid=" + client.sid, received);
    ws.writeTextMessage("2probe");
    await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("3probe"));
    ws.writeTextMessage("5");
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      ws.writeTextMessage("42/rt,2[\"rt.health\"]");
      return received.stream().anyMatch(text -> text.startsWith("43/rt,2") && text.contains("\"transport\":\"websocket\""));
    });
    node.publish(HubNode.draft("up1", "task:up1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> received.stream().anyMatch(text -> text.startsWith("42/rt,[\"rt.event\"")));
  }

  private WebSocket webSocket(Vertx vertx, String uri, List<String> received) throws Exception {
    if (sockets == null) {
      sockets = vertx.createWebSocketClient();
    }
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI(uri)
        .addHeader("Origin", "https://studio.example.com");
    WebSocket ws = sockets.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ws.textMessageHandler(text -> {
      received.add(text);
      if (text.equals("2")) {
        ws.writeTextMessage("3");
      }
    });
    return ws;
  }

  private String pollUntil(EngineIoClient client, Predicate<String> wanted) {
    List<String> seen = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      seen.addAll(client.poll(node.port()));
      return seen.stream().anyMatch(wanted);
    });
    return seen.stream().filter(wanted).findFirst().orElseThrow();
  }
}

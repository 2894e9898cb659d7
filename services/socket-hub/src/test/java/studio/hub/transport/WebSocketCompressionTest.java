package studio.hub.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.RealtimeClient;

/**
 * permessage-deflate, which every browser offers: off unless {@code STUDIO_RT_WS_COMPRESSION} turns it
 * on, because each compressed connection holds zlib state of its own (native memory that grows as its
 * windows fill) and takes 2-3 times as long to connect, the reason Socket.IO and Centrifugo ship with
 * it off too.
 */
@ExtendWith(VertxExtension.class)
class WebSocketCompressionTest {
  private final String room = "task:deflate-" + UUID.randomUUID().toString().substring(0, 8);
  private HubNode node;
  private WebSocketClient client;

  @AfterEach
  void undeploy() throws Exception {
    if (client != null) {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    node.undeploy();
  }

  @Test
  @DisplayName("by default a client offering permessage-deflate gets no extension, and its events arrive")
  void offByDefault(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_HUB_INSTANCES", "1"));
    Connection connection = connectOfferingDeflate(vertx);
    assertThat(connection.ws.headers().get("Sec-WebSocket-Extensions")).isNull();
    assertEventArrives(connection);
  }

  @Test
  @DisplayName("with STUDIO_RT_WS_COMPRESSION on, permessage-deflate is negotiated and a large event arrives intact")
  void onWhenAsked(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_HUB_INSTANCES", "1", "STUDIO_RT_WS_COMPRESSION", "on"));
    Connection connection = connectOfferingDeflate(vertx);
    assertThat(connection.ws.headers().get("Sec-WebSocket-Extensions")).contains("permessage-deflate");
    assertEventArrives(connection);
  }

  private record Connection(WebSocket ws, List<JsonObject> frames) {
  }

  private Connection connectOfferingDeflate(Vertx vertx) throws Exception {
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port())
            .setURI("/rt/ws?token=" + Tokens.grant(vertx, "task:*")).addHeader("Origin", RealtimeClient.PAGE_ORIGIN))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("id", "s1").put("rooms", List.of(room)).encode());
    await().atMost(Duration.ofSeconds(10)).until(() -> frames.stream().anyMatch(frame -> "ack".equals(frame.getString("op"))));
    return new Connection(ws, frames);
  }

  private void assertEventArrives(Connection connection) throws Exception {
    String text = "compressible ".repeat(2000);
    JsonObject draft = HubNode.draft("deflate", room);
    draft.getJsonObject("payload").put("text", text);
    node.publish(draft);
    await().atMost(Duration.ofSeconds(10)).until(() -> connection.frames.stream().anyMatch(frame -> "event".equals(frame.getString("op"))));
    JsonObject event = connection.frames.stream().filter(frame -> "event".equals(frame.getString("op"))).findFirst().orElseThrow();
    assertThat(event.getJsonObject("event").getJsonObject("payload").getString("text")).isEqualTo(text);
  }
}

package studio.hub.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.support.HubNode;
import studio.hub.support.Texts;
import studio.hub.support.Tokens;
import studio.testsupport.RealtimeClient;

/**
 * A Socket.IO page whose WebSocket negotiated permessage-deflate, on a hub against the test Redis: the
 * event packets written straight into the channel pass Vert.x's compressor, and arrive whole and in
 * order, the long ones in fragments no longer than the hub's largest frame (the client refuses longer).
 */
@ExtendWith(VertxExtension.class)
class SocketIoCompressionTest {
  /** The smallest STUDIO_RT_FRAME_MAX: the hub's largest WebSocket frame is then 4 KiB. */
  private static final int FRAME_MAX = 1024;
  private HubNode node;
  private final String room = "task:" + UUID.randomUUID().toString().substring(0, 8);
  /** Held: Vert.x 5 closes a collected client and its sockets. */
  private WebSocketClient sockets;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_WS_COMPRESSION", "on", "STUDIO_RT_FRAME_MAX", String.valueOf(FRAME_MAX)));
  }

  @Test
  @DisplayName("with permessage-deflate negotiated, every event's two packets arrive whole and in order, long ones fragmented")
  void compressedEventsArriveInOrder(Vertx vertx) throws Exception {
    sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true)
        .setMaxFrameSize(4 * FRAME_MAX).setMaxMessageSize(1024 * 1024));
    WebSocket ws = sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port())
            .setURI("/socket.io/?EIO=4&transport=websocket&token=" + Tokens.grant(vertx, room))
            .addHeader("Origin", RealtimeClient.PAGE_ORIGIN))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(ws.headers().get("sec-websocket-extensions")).contains("permessage-deflate");
    List<String> received = new CopyOnWriteArrayList<>();
    Short[] closedWith = {null};
    ws.closeHandler(closed -> closedWith[0] = ws.closeStatusCode());
    ws.textMessageHandler(text -> {
      received.add(text);
      if (text.equals("2")) {
        ws.writeTextMessage("3");
      }
    });
    ws.writeTextMessage("40/rt,");
    await().atMost(Duration.ofSeconds(5)).until(() -> received.stream().anyMatch(text -> text.startsWith("40/rt,{\"sid\"")));
    ws.writeTextMessage("42/rt,1[\"rt.subscribe\",{\"rooms\":[\"" + room + "\"]}]");
    await().atMost(Duration.ofSeconds(5)).until(() -> received.stream().anyMatch(text -> text.startsWith("43/rt,1")));

    int events = 60;
    node.publishAll(IntStream.range(0, events).mapToObj(this::draft).toList(), 20);
    await().atMost(Duration.ofSeconds(30)).until(() -> eventPackets(received).size() >= 2 * events || closedWith[0] != null);
    assertThat(closedWith[0]).as("the client refused nothing").isNull();
    List<JsonArray> packets = eventPackets(received);
    assertThat(packets).hasSize(2 * events);
    for (int i = 0; i < events; i++) {
      JsonArray typed = packets.get(2 * i);
      JsonArray generic = packets.get(2 * i + 1);
      assertThat(typed.getString(0)).isEqualTo("node.task.stage.updated");
      assertThat(typed.getJsonObject(1).getJsonObject("payload").getString("text")).isEqualTo(text(i));
      assertThat(generic.getString(0)).isEqualTo("rt.event");
      assertThat(generic.getJsonObject(1).getLong("offset")).isEqualTo(i + 1L);
      assertThat(generic.getJsonObject(1).getJsonObject("event")).isEqualTo(typed.getJsonObject(1));
    }
  }

  /** The event packets (typed, then rt.event) among everything received, as their JSON arrays. */
  private static List<JsonArray> eventPackets(List<String> received) {
    return received.stream().filter(text -> text.startsWith("42/rt,["))
        .map(text -> new JsonArray(text.substring("42/rt,".length()))).toList();
  }

  private JsonObject draft(int i) {
    return HubNode.draft("deflate", room).put("event_type", "node.task.stage.updated")
        .put("payload", new JsonObject().put("text", text(i)));
  }

  /** Every third event is 12 KiB that does not compress below one frame, with multi-byte characters. */
  private static String text(int i) {
    if (i % 3 != 0) {
      return "short \u00e9 " + i;
    }
    return Texts.incompressible("caf\u00e9 \u2603 " + i + " ", 12 * 1024, i);
  }
}

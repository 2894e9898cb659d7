package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.error.CloseCode;
import studio.contract.frame.Frames;
import studio.hub.support.HubNode;
import studio.hub.support.Texts;
import studio.hub.support.Tokens;
import studio.testsupport.RealtimeClient;

/**
 * Events longer than the hub's largest WebSocket frame (four times {@code STUDIO_RT_FRAME_MAX}), on the
 * path that writes each event's bytes, encoded once, to every subscriber: cut into fragments no longer
 * than that frame, whole and in order for every reader (with and without permessage-deflate), and a
 * reader that stops is closed as a slow consumer (4001) rather than held in memory.
 */
@ExtendWith(VertxExtension.class)
class OversizedEventTest {
  /** The smallest STUDIO_RT_FRAME_MAX: the hub's largest WebSocket frame is then 4 KiB. */
  private static final int FRAME_MAX = 1024;
  private static final int WEBSOCKET_FRAME_MAX = 4 * FRAME_MAX;
  private HubNode node;
  private final String room = "task:" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_WS_COMPRESSION", "on", "STUDIO_RT_FRAME_MAX", String.valueOf(FRAME_MAX),
        "STUDIO_RT_CLIENT_QUEUE_MAX", "262144"));
  }

  @Test
  @DisplayName("events over the largest WebSocket frame arrive whole and in order, in fragments no longer than it, "
      + "to a plain and a compressing reader; a reader that stops is closed with 4001")
  void oversizedEventsAreFragmented(Vertx vertx) throws Exception {
    Subscriber plain = Subscriber.open(vertx, node.port(), room, new WebSocketClientOptions());
    Subscriber compressing = Subscriber.open(vertx, node.port(), room,
        new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    // A small kernel buffer: the stopped reader's backlog reaches the hub after a few megabytes, not 30.
    Subscriber stalled = Subscriber.open(vertx, node.port(), room, new WebSocketClientOptions()
        .setReceiveBufferSize(16 * 1024));
    assertThat(compressing.extensions).contains("permessage-deflate");
    assertThat(plain.extensions).isNull();
    stalled.ws.pause();

    // Three events in four are 24 KiB of text that does not compress away, with multi-byte characters:
    // 7 MB in all, more than the kernel buffers and the hub's bound hold for the stopped reader.
    int events = 400;
    node.publishAll(IntStream.range(0, events).mapToObj(this::draft).toList(), 50);

    for (Subscriber reader : List.of(plain, compressing)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> reader.events().size() >= events || reader.closeCode != null);
      assertThat(reader.closeCode).as("the reader was not closed").isNull();
      List<JsonObject> received = reader.events();
      assertThat(received).hasSize(events);
      for (int i = 0; i < events; i++) {
        assertThat(received.get(i).getLong("offset")).isEqualTo(i + 1L);
        assertThat(received.get(i).getJsonObject("event").getJsonObject("payload").getString("text"))
            .isEqualTo(text(i));
      }
    }
    assertThat(plain.misplacedFrames).hasValue(0);
    assertThat(compressing.misplacedFrames).hasValue(0);
    // On the wire: every long event in fragments no longer than the largest frame, short ones whole.
    assertThat(plain.frameBytes).allSatisfy(bytes -> assertThat(bytes).isLessThanOrEqualTo(WEBSOCKET_FRAME_MAX));
    assertThat(plain.framesPerMessage).filteredOn(frames -> frames > 1).hasSize(events * 3 / 4);
    assertThat(compressing.framesPerMessage).filteredOn(frames -> frames > 1).hasSize(events * 3 / 4);

    await().atMost(Duration.ofSeconds(30)).until(() -> node.metric("studio_rt_slow_consumer_disconnects_total") == 1);
    stalled.ws.resume();
    await().atMost(Duration.ofSeconds(30)).until(() -> stalled.closeCode != null);
    assertThat(stalled.closeCode).isEqualTo((short) CloseCode.SLOW_CONSUMER.code());
    assertThat(stalled.events()).extracting(event -> event.getLong("offset"))
        .as("what reached it came in order").isSorted().doesNotHaveDuplicates();
  }

  private JsonObject draft(int i) {
    // A type that never conflates: the stopped reader's backlog keeps every event and must overflow.
    return HubNode.draft("big", room).put("event_type", "node.task.stage.updated")
        .put("payload", new JsonObject().put("text", text(i)));
  }

  private static String text(int i) {
    if (i % 4 == 3) {
      return "short " + i;
    }
    return Texts.incompressible("caf\u00e9 \u2603 " + i + " ", 24 * 1024, i);
  }

  /** A raw WebSocket reader that records each data frame, then joins them into the messages it reads. */
  private static final class Subscriber {
    /** Held: Vert.x 5 closes a collected client and its sockets. */
    private final WebSocketClient client;
    final WebSocket ws;
    final String extensions;
    final List<String> messages = new CopyOnWriteArrayList<>();
    final List<Integer> frameBytes = new CopyOnWriteArrayList<>();
    final List<Integer> framesPerMessage = new CopyOnWriteArrayList<>();
    final AtomicInteger misplacedFrames = new AtomicInteger();
    volatile Short closeCode;
    private Buffer partial = Buffer.buffer();
    private int partialFrames;

    private Subscriber(WebSocketClient client, WebSocket ws) {
      this.client = client;
      this.ws = ws;
      this.extensions = ws.headers().get("sec-websocket-extensions");
      ws.frameHandler(frame -> {
        if (frame.type() != WebSocketFrameType.TEXT && frame.type() != WebSocketFrameType.CONTINUATION) {
          return;
        }
        // A message starts with a TEXT frame; only its continuations may follow until the final one.
        if (frame.type() != (partialFrames == 0 ? WebSocketFrameType.TEXT : WebSocketFrameType.CONTINUATION)) {
          misplacedFrames.incrementAndGet();
        }
        frameBytes.add(frame.binaryData().length());
        partial.appendBuffer(frame.binaryData());
        partialFrames++;
        if (frame.isFinal()) {
          messages.add(partial.toString());
          framesPerMessage.add(partialFrames);
          partial = Buffer.buffer();
          partialFrames = 0;
        }
      });
      ws.closeHandler(closed -> closeCode = ws.closeStatusCode());
    }

    static Subscriber open(Vertx vertx, int port, String room, WebSocketClientOptions options) throws Exception {
      // The client refuses a frame over the hub's largest: an event sent whole would close it.
      WebSocketClient client = vertx.createWebSocketClient(options.setMaxFrameSize(WEBSOCKET_FRAME_MAX)
          .setMaxMessageSize(1024 * 1024));
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
              .setURI("/rt/ws?token=" + Tokens.grant(vertx, room)).addHeader("Origin", RealtimeClient.PAGE_ORIGIN))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Subscriber subscriber = new Subscriber(client, ws);
      ws.writeTextMessage(Frames.subscribe(List.of(room)).put(Frames.ID, "1").encode());
      await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.frames().stream()
          .anyMatch(frame -> "ack".equals(frame.getString(Frames.OP)) && "1".equals(frame.getString(Frames.ID))));
      return subscriber;
    }

    List<JsonObject> frames() {
      List<JsonObject> frames = new ArrayList<>();
      messages.forEach(message -> frames.add(new JsonObject(message)));
      return frames;
    }

    List<JsonObject> events() {
      return frames().stream().filter(frame -> "event".equals(frame.getString(Frames.OP))).toList();
    }
  }
}

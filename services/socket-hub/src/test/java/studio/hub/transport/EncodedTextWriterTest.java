package studio.hub.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.support.Texts;

/**
 * The one writer of pre-encoded text messages, against a real Vert.x Web route and a real Vert.x client:
 * on its direct road and on its fallback, with and without permessage-deflate, a reader that stops
 * fills the socket, the drain is heard, and every message arrives once, whole and in order. Some
 * messages are longer than the server's largest frame, and the client refuses any frame longer than
 * that: they arrive only if they were cut into fragments.
 */
@ExtendWith(VertxExtension.class)
class EncodedTextWriterTest {
  private static final int WRITE_QUEUE_MAX = 64 * 1024;
  private static final int MAX_FRAME = 16 * 1024;
  private static final int KERNEL_BUFFER = 64 * 1024;
  /** Letters a compressor cannot shrink much, so a compressed socket fills as a plain one does. */
  private static final String PADDING = Texts.incompressible("", 4096, 7);
  /**
   * Over three frames even compressed, with multi-byte characters astride the cuts (cut on bytes,
   * checked as a whole).
   */
  private static final String LONG = IntStream.range(0, 50)
      .mapToObj(chunk -> Texts.incompressible("caf\u00e9 \u2603 ", 1000, chunk)).collect(Collectors.joining());

  private enum Road { DIRECT, FALLBACK }

  private record Opened(Producer producer, Context context) {
    EncodedTextWriter writer() {
      return producer.writer;
    }
  }

  /**
   * Writes event pairs on the socket's event loop, as the hub's sessions do, until the socket reports
   * full, and again on each drain until the reader is resumed: a paused Vert.x client keeps reading
   * until its own inbound queue is full, so the socket may drain once or twice before it stays full.
   */
  private static final class Producer {
    final EncodedTextWriter writer;
    final AtomicBoolean resumed = new AtomicBoolean();
    final AtomicInteger drainsAfterResume = new AtomicInteger();
    int pairs;

    Producer(EncodedTextWriter writer) {
      this.writer = writer;
    }

    boolean fill() {
      while (!writer.writeQueueFull() && pairs < 20_000) {
        writer.write(EncodedText.of(first(pairs)), EncodedText.of("b" + pairs + PADDING));
        pairs++;
      }
      return writer.writeQueueFull();
    }

    void drained() {
      if (resumed.get()) {
        drainsAfterResume.incrementAndGet();
      } else {
        fill();
      }
    }
  }

  @Test
  @DisplayName("behind a Vert.x Web route, event packets go straight to the channel; a reader that stops fills it, "
      + "its drain is heard, and every packet arrives once, in order")
  void directWritesKeepBackpressureAndOrder(Vertx vertx) throws Exception {
    deliversEverythingInOrder(vertx, Road.DIRECT, false);
  }

  @Test
  @DisplayName("with permessage-deflate negotiated, the direct road goes through Vert.x's compressor: whole, in order")
  void directWritesCompressed(Vertx vertx) throws Exception {
    deliversEverythingInOrder(vertx, Road.DIRECT, true);
  }

  @Test
  @DisplayName("when the channel cannot be used, Vert.x's own writes keep backpressure, order and fragments")
  void fallbackWrites(Vertx vertx) throws Exception {
    deliversEverythingInOrder(vertx, Road.FALLBACK, false);
  }

  @Test
  @DisplayName("the fallback with permessage-deflate negotiated: whole, in order")
  void fallbackWritesCompressed(Vertx vertx) throws Exception {
    deliversEverythingInOrder(vertx, Road.FALLBACK, true);
  }

  private void deliversEverythingInOrder(Vertx vertx, Road road, boolean deflate) throws Exception {
    Promise<Opened> opened = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/ws").handler(ctx -> ctx.request().toWebSocket().onSuccess(ws -> {
      ws.setWriteQueueMaxSize(WRITE_QUEUE_MAX);
      EncodedTextWriter writer = road == Road.DIRECT ? EncodedTextWriter.of(ws, MAX_FRAME)
          : EncodedTextWriter.throughVertx(ws, MAX_FRAME, "this test takes the fallback");
      Producer producer = new Producer(writer);
      writer.drainHandler(producer::drained);
      opened.complete(new Opened(producer, vertx.getOrCreateContext()));
    }));
    // As the hub's server: Vert.x's own writes cut messages at the same largest frame. Small kernel
    // buffers on both ends, so a stopped reader fills the socket after a few hundred messages.
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketFrameSize(MAX_FRAME)
            .setSendBufferSize(KERNEL_BUFFER))
        .requestHandler(router).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setTryUsePerMessageCompression(deflate).setMaxFrameSize(MAX_FRAME).setMaxMessageSize(1024 * 1024)
        .setReceiveBufferSize(KERNEL_BUFFER));
    List<String> received = new CopyOnWriteArrayList<>();
    AtomicReference<Short> closedWith = new AtomicReference<>();
    WebSocket reader = client.connect(new WebSocketConnectOptions().setPort(server.actualPort()).setHost("127.0.0.1")
            .setURI("/ws"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(String.valueOf(reader.headers().get("sec-websocket-extensions")))
        .as("permessage-deflate negotiated").matches(deflate ? ".*permessage-deflate.*" : "null");
    reader.textMessageHandler(received::add);
    reader.closeHandler(closed -> closedWith.set(reader.closeStatusCode()));
    Opened socket = opened.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(socket.writer().direct()).as("writes go straight to the channel").isEqualTo(road == Road.DIRECT);

    reader.pause();
    // Kernel buffers fill first, then the channel's (or Vert.x's) queue.
    assertThat(onContext(socket, socket.producer()::fill)).as("the socket reported full before 20,000 pairs").isTrue();
    socket.producer().resumed.set(true);
    // Read on the event loop: after any refill under way, and no write follows the flag.
    int pairs = onContext(socket, () -> socket.producer().pairs);
    assertThat(pairs).as("pairs written before the socket stayed full: pairs 0 and 10 are long").isGreaterThan(10);

    reader.resume();
    await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 2 * pairs || closedWith.get() != null);
    assertThat(closedWith.get()).as("the client refused nothing").isNull();
    assertThat(received).hasSize(2 * pairs);
    await("the drain heard once the reader resumed").atMost(Duration.ofSeconds(5))
        .until(() -> socket.producer().drainsAfterResume.get() > 0);
    for (int i = 0; i < pairs; i++) {
      assertThat(received.get(2 * i)).isEqualTo(first(i));
      assertThat(received.get(2 * i + 1)).isEqualTo("b" + i + PADDING);
    }
    assertThat(socket.writer().writeQueueFull()).isFalse();
  }

  private static <T> T onContext(Opened socket, Supplier<T> action) throws Exception {
    Promise<T> result = Promise.promise();
    socket.context().runOnContext(ignored -> result.complete(action.get()));
    return result.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Every tenth pair opens with a message longer than three frames. */
  private static String first(int pair) {
    return "a" + pair + (pair % 10 == 0 ? LONG : PADDING);
  }
}

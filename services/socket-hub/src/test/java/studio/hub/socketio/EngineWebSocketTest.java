package studio.hub.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class EngineWebSocketTest {
  private static final int WRITE_QUEUE_MAX = 64 * 1024;
  private static final String PADDING = "x".repeat(4096);

  @Test
  @DisplayName("behind a Vert.x Web route, event packets go straight to the channel; a reader that stops fills it, "
      + "its drain is heard, and every packet arrives once, in order")
  void directWritesKeepBackpressureAndOrder(Vertx vertx) throws Exception {
    Promise<EngineWebSocket> opened = Promise.promise();
    AtomicReference<Context> socketContext = new AtomicReference<>();
    AtomicInteger drained = new AtomicInteger();
    Router router = Router.router(vertx);
    router.get("/ws").handler(ctx -> ctx.request().toWebSocket().onSuccess(ws -> {
      ws.setWriteQueueMaxSize(WRITE_QUEUE_MAX);
      socketContext.set(vertx.getOrCreateContext());
      opened.complete(EngineWebSocket.of(ws, drained::incrementAndGet));
    }));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    WebSocketClient client = vertx.createWebSocketClient();
    List<String> received = new CopyOnWriteArrayList<>();
    WebSocket reader = client.connect(new WebSocketConnectOptions().setPort(server.actualPort()).setHost("127.0.0.1")
            .setURI("/ws"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    reader.textMessageHandler(received::add);
    EngineWebSocket socket = opened.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(socket.direct()).as("writes go straight to the channel").isTrue();

    reader.pause();
    // Write event pairs on the socket's event loop until it reports full (kernel buffers, then the channel's).
    Promise<Integer> full = Promise.promise();
    AtomicBoolean wasFull = new AtomicBoolean();
    int[] written = {0};
    // On the socket's event loop, as the hub's sessions write.
    socketContext.get().runOnContext(ignored -> {
      while (!socket.writeQueueFull() && written[0] < 20_000) {
        socket.write(EventPackets.Translation.of("a" + written[0] + PADDING, "b" + written[0] + PADDING));
        written[0]++;
      }
      wasFull.set(socket.writeQueueFull());
      full.complete(written[0]);
    });
    int pairs = full.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(wasFull).as("the socket reported full before 20,000 pairs").isTrue();
    assertThat(drained.get()).isZero();

    reader.resume();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 2 * pairs);
    assertThat(drained.get()).as("drain heard").isPositive();
    for (int i = 0; i < pairs; i++) {
      assertThat(received.get(2 * i)).isEqualTo("a" + i + PADDING);
      assertThat(received.get(2 * i + 1)).isEqualTo("b" + i + PADDING);
    }
    assertThat(socket.writeQueueFull()).isFalse();
  }
}

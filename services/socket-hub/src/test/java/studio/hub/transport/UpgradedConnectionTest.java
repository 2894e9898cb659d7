package studio.hub.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What Vert.x keeps per server WebSocket and the hub sheds, behind a real Vert.x Web route as the
 * hub mounts its transports: the handshake's HTTP connection is collected while the socket lives,
 * and Vert.x's own writes (a text message, the pong, the close frame) still reach the client.
 */
@ExtendWith(VertxExtension.class)
class UpgradedConnectionTest {
  private record Opened(ServerWebSocket socket, EncodedTextWriter writer, Context context) {
  }

  private final List<Opened> held = new CopyOnWriteArrayList<>();
  /** Held: Vert.x 5 closes a client once it is garbage collected, and one test here collects on purpose. */
  private WebSocketClient client;

  private WebSocket open(Vertx vertx, AtomicReference<WeakReference<HttpConnection>> handshake) throws Exception {
    Router router = Router.router(vertx);
    router.get("/ws").handler(ctx -> {
      handshake.set(new WeakReference<>(ctx.request().connection()));
      ctx.request().toWebSocket().onSuccess(ws -> held.add(new Opened(ws, EncodedTextWriter.of(ws, 65536), vertx.getOrCreateContext())));
    });
    HttpServer server = result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    client = vertx.createWebSocketClient();
    WebSocket socket = result(client.connect(new WebSocketConnectOptions()
        .setPort(server.actualPort()).setHost("127.0.0.1").setURI("/ws")));
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
    return socket;
  }

  @Test
  @DisplayName("the HTTP/1.1 connection of the upgrade (request, response, headers, write queue) is collected while the socket lives")
  void handshakeCollected(Vertx vertx) throws Exception {
    AtomicReference<WeakReference<HttpConnection>> handshake = new AtomicReference<>();
    WebSocket client = open(vertx, handshake);

    assertThat(held.get(0).writer().shed()).as("this Vert.x version's fields were found").isTrue();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
      System.gc();
      return handshake.get().get() == null;
    });
    assertThat(held.get(0).socket().isClosed()).isFalse();
    assertThat(client.isClosed()).isFalse();
  }

  @Test
  @DisplayName("after shedding, Vert.x's own writes on the socket's event loop (as the hub makes them) still go out: "
      + "a text message, the pong to a ping, the close frame")
  void vertxWritesStillGoOut(Vertx vertx) throws Exception {
    WebSocket client = open(vertx, new AtomicReference<>());
    List<String> texts = new CopyOnWriteArrayList<>();
    Promise<Buffer> pong = Promise.promise();
    AtomicReference<Short> closedWith = new AtomicReference<>();
    client.textMessageHandler(texts::add);
    client.pongHandler(pong::tryComplete);
    client.closeHandler(closed -> closedWith.set(client.closeStatusCode()));
    ServerWebSocket socket = held.get(0).socket();
    Context loop = held.get(0).context();

    // Off its event loop Vert.x's direct queue refuses the write (an assertion, on in tests).
    loop.runOnContext(start -> socket.writeTextMessage("3probe"));
    await().atMost(Duration.ofSeconds(10)).until(() -> texts.contains("3probe"));
    client.writePing(Buffer.buffer("are you there"));
    assertThat(result(pong.future()).toString()).isEqualTo("are you there");
    loop.runOnContext(start -> socket.close((short) 4001, "bye"));
    await().atMost(Duration.ofSeconds(10)).until(() -> closedWith.get() != null);
    assertThat(closedWith.get()).isEqualTo((short) 4001);
  }

  private static <T> T result(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

package studio.testsupport;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import studio.contract.frame.FrameOp;
import studio.contract.frame.Frames;

/** A test client speaking the wire protocol over a real WebSocket, recording every frame it gets. */
public final class RealtimeClient {
  /**
   * One client per Vert.x, held strongly: Vert.x 5 closes a client that is garbage collected, which
   * would cut connections mid-handshake.
   */
  private static final java.util.Map<Vertx, WebSocketClient> CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();
  public final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  public volatile Short closeCode;
  public volatile String closeReason;
  private final WebSocket ws;
  private int nextId = 1;

  private RealtimeClient(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.closeHandler(closed -> {
      closeCode = ws.closeStatusCode();
      closeReason = ws.closeReason();
    });
  }

  public static Future<RealtimeClient> connect(Vertx vertx, int port, String uri, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return CLIENTS.computeIfAbsent(vertx, Vertx::createWebSocketClient).connect(options).map(RealtimeClient::new);
  }

  /** Vert.x clients send an Origin of their own; tests act as a page from the allowed origin. */
  public static final String PAGE_ORIGIN = "https://studio.example.com";

  public static RealtimeClient open(Vertx vertx, int port, String uri) throws Exception {
    return connect(vertx, port, uri, PAGE_ORIGIN).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public void sendRaw(String text) {
    ws.writeTextMessage(text);
  }

  public String send(JsonObject frame) {
    String id = String.valueOf(nextId++);
    ws.writeTextMessage(frame.copy().put(Frames.ID, id).encode());
    return id;
  }

  public String subscribe(String... rooms) {
    return send(Frames.subscribe(List.of(rooms)));
  }

  public String subscribe(JsonObject since, String... rooms) {
    return send(Frames.subscribe(List.of(rooms), since));
  }

  public JsonObject awaitFrame(Predicate<JsonObject> match) {
    await().atMost(Duration.ofSeconds(20)).until(() -> frames.stream().anyMatch(match));
    return frames.stream().filter(match).findFirst().orElseThrow();
  }

  public JsonObject awaitReply(String id) {
    return awaitFrame(frame -> id.equals(frame.getString(Frames.ID)));
  }

  public List<JsonObject> events(String room) {
    return frames.stream().filter(f -> Frames.opOf(f) == FrameOp.EVENT && room.equals(f.getString(Frames.ROOM))).toList();
  }

  public void awaitEvents(String room, int count) {
    await().atMost(Duration.ofSeconds(60)).until(() -> events(room).size() >= count);
  }

  public void awaitClosed() {
    await().atMost(Duration.ofSeconds(20)).until(() -> closeCode != null);
  }

  /** Stops reading from the socket, as a client on a slow link would. */
  public void pause() {
    ws.pause();
  }

  public void resume() {
    ws.resume();
  }

  public boolean isClosed() {
    return ws.isClosed();
  }

  public Future<Void> close() {
    return ws.close();
  }
}

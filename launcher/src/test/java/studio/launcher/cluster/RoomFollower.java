package studio.launcher.cluster;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Follows one room over raw WebSockets, as a page would: subscribes, records every event frame it is
 * sent (across connections) and, after a connection is lost, resumes on another replica with
 * {@code since} = the last offset and epoch it saw.
 */
public final class RoomFollower {
  private final WebSocketClient sockets;
  private final String room;
  private final String token;
  private final String origin;
  /** Event frames of every connection, in arrival order. */
  private final List<JsonObject> events = new CopyOnWriteArrayList<>();
  /** The subscribe acks, one per connection. */
  private final List<JsonObject> acks = new CopyOnWriteArrayList<>();
  private volatile WebSocket socket;
  private volatile Short closeCode;

  public RoomFollower(WebSocketClient sockets, String room, String token, String origin) {
    this.sockets = sockets;
    this.room = room;
    this.token = token;
    this.origin = origin;
  }

  /** Connects to the hub at {@code port} and subscribes: from now on, or after the last event seen. */
  public JsonObject follow(int port) throws Exception {
    WebSocket connected = result(sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/rt/ws?token=" + token).addHeader("Origin", origin)));
    closeCode = null;
    socket = connected;
    List<JsonObject> replies = new CopyOnWriteArrayList<>();
    connected.closeHandler(closed -> closeCode = connected.closeStatusCode() == null ? -1 : connected.closeStatusCode());
    connected.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      switch (frame.getString("op", "")) {
        case "event" -> {
          if (room.equals(frame.getString("room"))) {
            events.add(frame);
          }
        }
        case "ack", "error" -> replies.add(frame);
        default -> {
        }
      }
    });
    JsonObject subscribe = new JsonObject().put("op", "subscribe").put("id", "s" + acks.size())
        .put("rooms", new JsonArray().add(room));
    JsonObject last = lastEvent();
    if (last != null) {
      subscribe.put("since", new JsonObject().put(room, new JsonObject().put("offset", last.getLong("offset"))
          .put("epoch", last.getString("epoch"))));
    }
    connected.writeTextMessage(subscribe.encode());
    await().atMost(Duration.ofSeconds(30)).until(() -> !replies.isEmpty());
    JsonObject reply = replies.get(0);
    if (!"ack".equals(reply.getString("op"))) {
      throw new AssertionError("subscribe on port " + port + " refused: " + reply.encode());
    }
    JsonObject ack = reply.getJsonObject("rooms").getJsonObject(room);
    acks.add(ack);
    return ack;
  }

  public void awaitDisconnected() {
    await().atMost(Duration.ofSeconds(60)).until(() -> closeCode != null);
  }

  public List<JsonObject> events() {
    return new ArrayList<>(events);
  }

  public List<JsonObject> acks() {
    return new ArrayList<>(acks);
  }

  public JsonObject lastEvent() {
    return events.isEmpty() ? null : events.get(events.size() - 1);
  }

  /** True once an event of the given entity version has arrived. */
  public boolean hasVersion(long version) {
    return events.stream().anyMatch(frame -> frame.getJsonObject("event").getLong("entity_version", -1L) == version);
  }

  public Future<Void> close() {
    return socket == null || socket.isClosed() ? Future.succeededFuture() : socket.close();
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

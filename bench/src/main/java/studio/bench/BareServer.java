package studio.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import studio.hub.transport.EncodedText;
import studio.hub.transport.EncodedTextWriter;

/**
 * The floors the hub is measured against (issue 18's "bare Vert.x server"): one file, the hub's wire
 * protocol as far as the load generator speaks it (subscribe, ack, event frames; {@code POST
 * /api/v1/events}, single drafts and batches), and nothing else: no auth, no history, no validation,
 * no metrics. Offsets count per room in the delivering process; each event frame is encoded once and
 * the same bytes written to every socket in the room by the hub's own writer ({@link EncodedTextWriter}).
 * Same process settings as a hub: one event loop and one server instance per core, Netty's epoll transport.
 * <ul>
 *   <li>{@code --server bare}: delivers in process, no Redis, so it reaches only its own clients. Client i
 *   and single draft i both go to replica i % replicas, so with an even number of rooms (fanout, publish,
 *   latency, connect) a room's publishes meet all of its clients; a single room (broadcast) or batches
 *   (which mix rooms) need {@code bare-redis}.</li>
 *   <li>{@code --server bare-redis} ({@code BARE_REDIS_URL} set): every event goes through Redis as
 *   Socket.IO's Redis adapter sends it, one {@code PUBLISH} per room on a connection per event loop, and
 *   comes back on one subscription per process: the floor of the hub's path without the script,
 *   history, auth or validation.</li>
 * </ul>
 */
public final class BareServer extends VerticleBase {
  private static final String CHANNEL_PREFIX = "bare:";

  /** A room's subscribers and next offset, shared by every event loop of the process. */
  private static final class Room {
    final List<Client> clients = new CopyOnWriteArrayList<>();
    final AtomicLong offset = new AtomicLong();
  }

  /** A socket with the hub's writer of encoded-once text, and the event loop it writes on. */
  private record Client(EncodedTextWriter writer, Context context) {
    void write(EncodedText frame) {
      if (Vertx.currentContext() == context) {
        writer.write(frame);
      } else {
        context.runOnContext(ignored -> writer.write(frame));
      }
    }
  }

  private final int port;
  private final Map<String, Room> rooms;
  /** The process's one subscription, or null without Redis. */
  private final Subscription subscription;
  private final String redisUrl;
  /** This event loop's publishing connection, or null without Redis. */
  private RedisConnection publisher;

  /** The process's pub/sub connection, used only on the event loop it was opened on. */
  private record Subscription(Context home, RedisConnection connection) {
    static Future<Subscription> open(Vertx vertx, String redisUrl, Map<String, Room> rooms) {
      Context home = vertx.getOrCreateContext();
      Promise<RedisConnection> opened = Promise.promise();
      home.runOnContext(ignored -> Redis.createClient(vertx, redisUrl).connect().onComplete(opened));
      return opened.future().map(connection -> {
        connection.handler(push -> deliver(rooms, push));
        return new Subscription(home, connection);
      });
    }

    Future<Void> subscribe(String room) {
      Promise<Void> sent = Promise.promise();
      home.runOnContext(ignored -> connection.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL_PREFIX + room))
          .<Void>mapEmpty().onComplete(sent));
      return sent.future();
    }
  }

  private BareServer(int port, Map<String, Room> rooms, Subscription subscription, String redisUrl) {
    this.port = port;
    this.rooms = rooms;
    this.subscription = subscription;
    this.redisUrl = redisUrl;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(System.getenv().getOrDefault("STUDIO_HUB_PORT", "18081"));
    String redisUrl = System.getenv("BARE_REDIS_URL");
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
    Map<String, Room> rooms = new ConcurrentHashMap<>();
    Future<Subscription> subscribed = redisUrl == null ? Future.succeededFuture() : Subscription.open(vertx, redisUrl, rooms);
    subscribed
        .compose(subscription -> vertx.deployVerticle(() -> new BareServer(port, rooms, subscription, redisUrl),
            new DeploymentOptions().setInstances(loops)))
        .onSuccess(ok -> System.out.println("bare server on 127.0.0.1:" + port + " (" + loops + " event loops, native transport "
            + vertx.isNativeTransportEnabled() + (redisUrl != null ? ", through Redis " + redisUrl : "") + ")"))
        .onFailure(failure -> {
          failure.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    Future<RedisConnection> publishing = redisUrl == null ? Future.succeededFuture() : Redis.createClient(vertx, redisUrl).connect();
    return publishing
        .onSuccess(conn -> publisher = conn)
        .compose(conn -> vertx.createHttpServer().webSocketHandler(this::accept).requestHandler(this::handle).listen(port, "127.0.0.1"));
  }

  private void accept(ServerWebSocket socket) {
    Client client = new Client(EncodedTextWriter.of(socket, 65_536), vertx.getOrCreateContext());
    socket.textMessageHandler(text -> {
      if (text.startsWith("{\"op\":\"subscribe\"")) {
        JsonObject frame = new JsonObject(text);
        Future<?> subscribed = Future.succeededFuture();
        for (Object name : frame.getJsonArray("rooms")) {
          Room room = rooms.computeIfAbsent((String) name, key -> new Room());
          if (room.clients.isEmpty() && subscription != null) {
            subscribed = subscription.subscribe((String) name);
          }
          room.clients.add(client);
        }
        subscribed.onSuccess(ok -> socket.writeTextMessage("{\"op\":\"ack\",\"id\":\"" + frame.getString("id") + "\"}"));
      }
    });
    socket.closeHandler(closed -> rooms.values().forEach(room -> room.clients.remove(client)));
  }

  private void handle(HttpServerRequest request) {
    if (request.path().startsWith("/health")) {
      request.response().end("{\"status\":\"UP\"}");
    } else if (request.path().equals("/api/v1/events")) {
      request.body().map(Buffer::toJsonObject).onSuccess(body -> {
        JsonArray drafts = body.containsKey("events") ? body.getJsonArray("events") : new JsonArray().add(body);
        for (Object draft : drafts) {
          publish((JsonObject) draft);
        }
        request.response().setStatusCode(202).end("{\"accepted\":" + drafts.size() + "}");
      }).onFailure(failure -> request.response().setStatusCode(400).end());
    } else {
      request.response().setStatusCode(404).end();
    }
  }

  private void publish(JsonObject draft) {
    String encoded = draft.encode();
    for (Object key : draft.getJsonArray("room_keys")) {
      if (publisher != null) {
        publisher.send(Request.cmd(Command.PUBLISH).arg(CHANNEL_PREFIX + key).arg(encoded));
      } else {
        writeToRoom((String) key, rooms.computeIfAbsent((String) key, name -> new Room()), encoded);
      }
    }
  }

  /** A pub/sub message from Redis: ["message", channel, event]. */
  private static void deliver(Map<String, Room> rooms, Response push) {
    if (push.size() == 3 && "message".equals(push.get(0).toString())) {
      String key = push.get(1).toString().substring(CHANNEL_PREFIX.length());
      Room room = rooms.get(key);
      if (room != null) {
        writeToRoom(key, room, push.get(2).toString());
      }
    }
  }

  /**
   * Numbered where it is delivered: Redis orders a channel's messages, and publishers on several
   * processes (batches go to any replica) share no counter.
   */
  private static void writeToRoom(String key, Room room, String event) {
    EncodedText frame = EncodedText.of("{\"op\":\"event\",\"room\":\"" + key + "\",\"offset\":"
        + room.offset.incrementAndGet() + ",\"epoch\":\"bare\",\"event\":" + event + "}");
    for (Client client : room.clients) {
      client.write(frame);
    }
  }
}

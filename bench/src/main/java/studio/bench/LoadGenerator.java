package studio.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import studio.runtime.auth.RealtimeTokens;

/**
 * The load process: N WebSocket clients subscribed across rooms, and a publisher posting drafts at a
 * fixed rate over HTTP. Counts deliveries, gaps and duplicates per client and room from offsets,
 * and publish-to-receive latency from a timestamp the publisher puts in each payload.
 */
final class LoadGenerator {
  private final Vertx vertx;
  private final List<HubProcesses.Replica> replicas;
  private final WebSocketClient sockets;
  private final WebClient http;
  final LongAdder delivered = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder gaps = new LongAdder();
  /** Socket.IO only: events received under their event_type (the copy of each rt.event), counted, not parsed. */
  final LongAdder typedCopies = new LongAdder();
  final LongAdder published = new LongAdder();
  final LongAdder publishFailures = new LongAdder();
  final AtomicLong connected = new AtomicLong();
  final Recorder latency = new Recorder(3);
  /** Time from creating a draft to the hub's 202: the publisher's view. */
  final Recorder publishLatency = new Recorder(3);
  private final List<long[]> lastOffsets = new ArrayList<>();
  /** Every client connection open, for {@link #disconnectAll()}. */
  private final List<WebSocket> held = Collections.synchronizedList(new ArrayList<>());
  /** Events sent before the current phase (warm-up) are counted but left out of the latency figures. */
  volatile long latencyFromNanos = Long.MAX_VALUE;

  /** How clients speak to the hub: its native frames on /rt/ws, or Socket.IO (Engine.IO v4 WebSocket) on /socket.io. */
  enum Protocol { NATIVE, SOCKETIO }

  private final Protocol protocol;

  LoadGenerator(Vertx vertx, List<HubProcesses.Replica> replicas, Protocol protocol) {
    this.vertx = vertx;
    this.replicas = replicas;
    this.protocol = protocol;
    this.sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    this.http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
  }

  static String token(Vertx vertx) {
    return RealtimeTokens.create(vertx, HubProcesses.JWT_SECRET).mint("bench", List.of("task:*"), Duration.ofHours(1));
  }

  /** Connects clients {@code parallel} at a time; client i subscribes to room i % rooms on replica i % replicas. */
  Future<Void> connect(int clients, List<String> rooms, int parallel) {
    String token = token(vertx);
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < clients; from += parallel) {
      int start = from;
      int end = Math.min(clients, from + parallel);
      chain = chain.compose(previous -> {
        List<Future<Void>> batch = new ArrayList<>();
        for (int i = start; i < end; i++) {
          batch.add(connectOne(i, rooms.get(i % rooms.size()), token));
        }
        return Future.all(batch).mapEmpty();
      });
    }
    return chain;
  }

  private Future<Void> connectOne(int index, String room, String token) {
    HubProcesses.Replica replica = replicas.get(index % replicas.size());
    long[] last = new long[] {0};
    synchronized (lastOffsets) {
      lastOffsets.add(last);
    }
    if (protocol == Protocol.SOCKETIO) {
      return connectSocketIo(replica, room, token, last);
    }
    return sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(replica.port())
            .setURI("/rt/ws?token=" + token))
        .compose(ws -> {
          held.add(ws);
          Promise<Void> subscribed = Promise.promise();
          // Frames, as the Socket.IO client reads them: both skip Vert.x's message aggregation alike.
          ws.frameHandler(frame -> {
            if (!frame.isText()) {
              return;
            }
            String text = frame.binaryData().toString(StandardCharsets.UTF_8);
            if (text.startsWith("{\"op\":\"event\"")) {
              onEvent(text, last);
            } else if (text.startsWith("{\"op\":\"ack\"")) {
              subscribed.tryComplete();
            }
          });
          ws.writeTextMessage("{\"op\":\"subscribe\",\"id\":\"1\",\"rooms\":[\"" + room + "\"]}");
          // Clients ping like browsers do, so the hub never reaps them as silent; spread out, as real ones are.
          long firstPing = 1 + ThreadLocalRandom.current().nextLong(20_000);
          vertx.setTimer(firstPing, first -> vertx.setPeriodic(20_000, t -> ws.writeTextMessage("{\"op\":\"ping\"}")));
          return subscribed.future();
        })
        .onSuccess(ok -> connected.incrementAndGet());
  }

  /**
   * A page as socket.io-client runs it over WebSocket: OPEN, CONNECT /rt with the token in {@code auth},
   * {@code rt.subscribe} with an ack, a pong for every ping. Each event arrives twice (under its type, then
   * as {@code rt.event}): the {@code rt.event} is decoded and checked as a native client's event frame is,
   * the typed copy is only recognised by its first bytes and counted, so that the load process (sharing
   * the cores with the hub) parses as much per delivery with either protocol and the figure measures the hub.
   */
  private Future<Void> connectSocketIo(HubProcesses.Replica replica, String room, String token, long[] last) {
    return sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(replica.port())
            .setURI("/socket.io/?EIO=4&transport=websocket"))
        .compose(ws -> {
          held.add(ws);
          Promise<Void> subscribed = Promise.promise();
          ws.frameHandler(frame -> {
            if (!frame.isText()) {
              return;
            }
            Buffer data = frame.binaryData();
            if (startsWith(data, SOCKETIO_EVENT_BYTES)) {
              onEvent(data.toString(StandardCharsets.UTF_8), last);
              return;
            }
            if (startsWith(data, SOCKETIO_ANY_EVENT_BYTES)) {
              typedCopies.increment();
              return;
            }
            String text = data.toString(StandardCharsets.UTF_8);
            if (text.equals("2")) {
              ws.writeTextMessage("3");
            } else if (text.startsWith("0{")) {
              ws.writeTextMessage("40/rt,{\"token\":\"" + token + "\"}");
            } else if (text.startsWith("40/rt,")) {
              ws.writeTextMessage("42/rt,1[\"rt.subscribe\",{\"rooms\":[\"" + room + "\"]}]");
            } else if (text.startsWith("43/rt,1")) {
              subscribed.tryComplete();
            } else if (text.startsWith("44/rt,")) {
              subscribed.tryFail(text);
            }
          });
          return subscribed.future();
        })
        .onSuccess(ok -> connected.incrementAndGet());
  }

  private static final byte[] SOCKETIO_EVENT_BYTES = "42/rt,[\"rt.event\",".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SOCKETIO_ANY_EVENT_BYTES = "42/rt,[\"".getBytes(StandardCharsets.UTF_8);

  private static boolean startsWith(Buffer data, byte[] prefix) {
    if (data.length() < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data.getByte(i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private void onEvent(String frame, long[] last) {
    int at = frame.indexOf("\"offset\":") + 9;
    long offset = Long.parseLong(frame, at, frame.indexOf(',', at), 10);
    if (offset <= last[0]) {
      duplicates.increment();
      return;
    }
    if (last[0] != 0 && offset > last[0] + 1) {
      gaps.add(offset - last[0] - 1);
    }
    last[0] = offset;
    delivered.increment();
    int t = frame.lastIndexOf("\"t\":") + 4;
    long sentNanos = Long.parseLong(frame, t, frame.indexOf('}', t), 10);
    if (sentNanos >= latencyFromNanos) {
      latency.recordValue(Math.max(0, System.nanoTime() - sentNanos) / 1000);
    }
  }

  /** Posts {@code rate} drafts a second for {@code seconds}, round-robin over rooms and replicas. */
  Future<Void> publish(List<String> rooms, int rate, int seconds, int payloadBytes) {
    String padding = "x".repeat(Math.max(0, payloadBytes));
    Promise<Void> done = Promise.promise();
    long total = (long) rate * seconds;
    AtomicLong sent = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    long started = System.nanoTime();
    latencyFromNanos = started;
    long timer = vertx.setPeriodic(1, tick -> {
      long due = Math.min(total, (System.nanoTime() - started) * rate / 1_000_000_000L);
      while (sent.get() < due) {
        long i = sent.getAndIncrement();
        String room = rooms.get((int) (i % rooms.size()));
        HubProcesses.Replica replica = replicas.get((int) (i % replicas.size()));
        JsonObject draft = new JsonObject().put("event_type", "node.task.stage.updated").put("entity_kind", "task")
            .put("entity_id", room.substring(5)).put("room_keys", new JsonArray().add(room))
            .put("payload", new JsonObject().put("pad", padding).put("t", System.nanoTime()));
        http.post(replica.port(), "127.0.0.1", "/api/v1/events")
            .putHeader("Authorization", "Bearer " + HubProcesses.WORKER_SECRET)
            .sendJsonObject(draft)
            .onSuccess(response -> (response.statusCode() == 202 ? published : publishFailures).increment())
            .onFailure(failure -> publishFailures.increment())
            .onComplete(answer -> {
              publishLatency.recordValue((System.nanoTime() - draft.getJsonObject("payload").getLong("t")) / 1000);
              if (answered.incrementAndGet() == total) {
                done.tryComplete();
              }
            });
      }
    });
    vertx.setTimer(seconds * 1000L + 50, end -> vertx.cancelTimer(timer));
    return done.future();
  }

  /**
   * As {@link #publish(List, int, int, int)}, but {@code batch} drafts per request as one
   * {@code {"events": [...]}} body (batch publish): a request goes out once {@code batch} drafts are due,
   * so a draft waits at most {@code batch / rate} seconds for its batch.
   */
  Future<Void> publish(List<String> rooms, int rate, int seconds, int payloadBytes, int batch) {
    if (batch <= 1) {
      return publish(rooms, rate, seconds, payloadBytes);
    }
    String padding = "x".repeat(Math.max(0, payloadBytes));
    Promise<Void> done = Promise.promise();
    long total = (long) rate * seconds;
    AtomicLong sent = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    AtomicLong requests = new AtomicLong();
    long started = System.nanoTime();
    latencyFromNanos = started;
    long timer = vertx.setPeriodic(1, tick -> {
      long due = Math.min(total, (System.nanoTime() - started) * rate / 1_000_000_000L);
      while (due - sent.get() >= batch || (due == total && sent.get() < total)) {
        int size = (int) Math.min(batch, due - sent.get());
        JsonArray drafts = new JsonArray();
        long firstSent = System.nanoTime();
        for (int n = 0; n < size; n++) {
          long i = sent.getAndIncrement();
          String room = rooms.get((int) (i % rooms.size()));
          drafts.add(new JsonObject().put("event_type", "node.task.stage.updated").put("entity_kind", "task")
              .put("entity_id", room.substring(5)).put("room_keys", new JsonArray().add(room))
              .put("payload", new JsonObject().put("pad", padding).put("t", System.nanoTime())));
        }
        HubProcesses.Replica replica = replicas.get((int) (requests.getAndIncrement() % replicas.size()));
        http.post(replica.port(), "127.0.0.1", "/api/v1/events")
            .putHeader("Authorization", "Bearer " + HubProcesses.WORKER_SECRET)
            .sendJsonObject(new JsonObject().put("events", drafts))
            .onSuccess(response -> (response.statusCode() == 202 ? published : publishFailures).add(size))
            .onFailure(failure -> publishFailures.add(size))
            .onComplete(answer -> {
              publishLatency.recordValue((System.nanoTime() - firstSent) / 1000);
              if (answered.addAndGet(size) == total) {
                done.tryComplete();
              }
            });
      }
    });
    vertx.setTimer(seconds * 1000L + 50, end -> vertx.cancelTimer(timer));
    return done.future();
  }

  long connectedClients() {
    return connected.get();
  }

  /** Closes every client and forgets them, so that a later {@link #connect} starts from none. */
  Future<Void> disconnectAll() {
    List<WebSocket> closing;
    synchronized (held) {
      closing = List.copyOf(held);
      held.clear();
    }
    synchronized (lastOffsets) {
      lastOffsets.clear();
    }
    connected.set(0);
    return Future.join(closing.stream().map(ws -> ws.close()).toList()).mapEmpty();
  }
}

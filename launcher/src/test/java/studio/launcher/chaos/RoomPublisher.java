package studio.launcher.chaos;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A worker publishing numbered events into one room through the hubs' HTTP ingress
 * ({@code POST /api/v1/events}, bearer {@code WORKER_SHARED_SECRET}), at a steady rate and without
 * retries, recording how each publish was answered: 202 with its envelope, or the status or error
 * that refused it. Every event carries its number ({@code payload.n}), unique in the room, so a
 * client can tell exactly which publishes reached it, including ones the publisher saw fail.
 */
final class RoomPublisher {
  /** Far longer than a publish takes, even on a starved machine: without a fault, no publish should time out. */
  static final Duration PATIENT = Duration.ofSeconds(10);
  private final Vertx vertx;
  /** A field: Vert.x 5 closes a client that is garbage collected. */
  private final WebClient http;
  private final String workerSecret;
  private final String room;
  private final long timeoutMillis;
  private final AtomicInteger next = new AtomicInteger();
  private final ConcurrentHashMap<Integer, Outcome> outcomes = new ConcurrentHashMap<>();

  /** How one publish was answered: {@code eventId} and {@code sequence} when accepted (2xx). */
  record Outcome(int n, int port, int status, String eventId, long sequence, String failure) {
    boolean accepted() {
      return status >= 200 && status < 300;
    }
  }

  /** {@code timeout}: how long the worker waits for an answer before it counts the publish as refused. */
  RoomPublisher(Vertx vertx, String workerSecret, String room, Duration timeout) {
    this.vertx = vertx;
    this.timeoutMillis = timeout.toMillis();
    this.http = WebClient.create(vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(64));
    this.workerSecret = workerSecret;
    this.room = room;
  }

  /**
   * Publishes {@code count} events at {@code perSecond}, the i-th of them through the hub on
   * {@code portOf.applyAsInt(i)}, without waiting for answers (a slow answer does not slow the rate);
   * {@link Run#awaitAnswered()} waits for every answer.
   */
  Run publish(int count, int perSecond, IntUnaryOperator portOf) {
    Run run = new Run(count);
    SteadyRate.run(vertx, count, perSecond, i -> send(run, portOf.applyAsInt(i)));
    return run;
  }

  /** Every publish so far, in the order they were sent. */
  List<Outcome> outcomes() {
    return outcomes.values().stream().sorted(Comparator.comparingInt(Outcome::n)).toList();
  }

  List<Outcome> accepted() {
    return outcomes().stream().filter(Outcome::accepted).toList();
  }

  List<Outcome> refused() {
    return outcomes().stream().filter(outcome -> !outcome.accepted()).toList();
  }

  private void send(Run run, int port) {
    int n = next.getAndIncrement();
    JsonObject draft = draft(room, n);
    http.post(port, "127.0.0.1", "/api/v1/events").timeout(timeoutMillis)
        .putHeader("Authorization", "Bearer " + workerSecret)
        .sendJsonObject(draft)
        .onComplete(answer -> {
          Outcome outcome;
          if (answer.failed()) {
            outcome = new Outcome(n, port, 0, null, -1, answer.cause().toString());
          } else if (answer.result().statusCode() / 100 == 2) {
            JsonObject envelope = answer.result().bodyAsJsonObject();
            outcome = new Outcome(n, port, answer.result().statusCode(), envelope.getString("event_id"),
                envelope.getLong("sequence"), null);
          } else {
            outcome = new Outcome(n, port, answer.result().statusCode(), null, -1, answer.result().bodyAsString());
          }
          outcomes.put(n, outcome);
          run.answered.incrementAndGet();
        });
  }

  /** Event number {@code n} of {@code room}: a non-conflatable type, so every client gets every one. */
  static JsonObject draft(String room, int n) {
    return new JsonObject().put("event_type", "node.task.stage.updated").put("entity_kind", "task")
        .put("entity_id", room.substring(room.indexOf(':') + 1)).put("room_keys", new JsonArray().add(room))
        .put("payload", new JsonObject().put("n", n));
  }

  /** One call to {@link #publish}. */
  static final class Run {
    private final int count;
    private final AtomicInteger answered = new AtomicInteger();

    private Run(int count) {
      this.count = count;
    }

    int answered() {
      return answered.get();
    }

    void awaitAnswered() {
      await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() == count);
    }
  }
}

package studio.launcher.chaos;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The browser client's last-resort transport, run as it runs it: {@code GET /rt/poll?rooms=R&since=...}
 * with the token in {@code Authorization: Bearer}, each poll continuing from the position the previous
 * answer returned, and (with no sticky sessions) each poll sent to the next replica in turn. Records
 * every event frame and every room state it is answered with.
 */
final class LongPoller {
  private static final long REQUEST_TIMEOUT_MS = 30_000;
  /** A client's pause after a failed poll before it tries the next replica. */
  private static final long RETRY_DELAY_MS = 100;
  private final Vertx vertx;
  /** A field: Vert.x 5 closes a client that is garbage collected. */
  private final WebClient http;
  private final String room;
  private final String token;
  private final int[] ports;
  private final List<JsonObject> events = new CopyOnWriteArrayList<>();
  private final List<JsonObject> states = new CopyOnWriteArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private volatile JsonObject since;
  private volatile boolean stopped;
  /** Touched on the poller's event loop only. */
  private int polls;

  LongPoller(Vertx vertx, String room, String token, int... ports) {
    this.vertx = vertx;
    this.http = WebClient.create(vertx);
    this.room = room;
    this.token = token;
    this.ports = ports.clone();
  }

  /** Starts polling; the first poll (no {@code since}) only learns the room's position. */
  void start() {
    vertx.runOnContext(ignored -> poll());
  }

  void stop() {
    stopped = true;
  }

  /** True once an answer has told the poller where the room stands. */
  boolean positioned() {
    return since != null;
  }

  /** The offset the next poll continues from. */
  long offset() {
    JsonObject current = since;
    return current == null ? -1 : current.getLong("offset", 0L);
  }

  List<JsonObject> events() {
    return new ArrayList<>(events);
  }

  /** The room's state in every answer after the first ({@code offset}, {@code epoch}, {@code recovered}). */
  List<JsonObject> states() {
    return new ArrayList<>(states);
  }

  List<String> failures() {
    return new ArrayList<>(failures);
  }

  private void poll() {
    if (stopped) {
      return;
    }
    int port = ports[polls++ % ports.length];
    var request = http.get(port, "127.0.0.1", "/rt/poll").timeout(REQUEST_TIMEOUT_MS)
        .putHeader("Authorization", "Bearer " + token).addQueryParam("rooms", room);
    JsonObject resume = since;
    if (resume != null) {
      request.addQueryParam("since", new JsonObject().put(room, resume).encode());
    }
    request.send().onComplete(answer -> {
      if (answer.succeeded() && answer.result().statusCode() == 200) {
        JsonObject body = answer.result().bodyAsJsonObject();
        body.getJsonArray("events").stream().map(JsonObject.class::cast)
            .filter(frame -> room.equals(frame.getString("room"))).forEach(events::add);
        JsonObject state = body.getJsonObject("rooms").getJsonObject(room);
        if (resume != null) {
          states.add(state.copy().put("port", port));
        }
        since = new JsonObject().put("offset", state.getLong("offset")).put("epoch", state.getString("epoch"));
        poll();
      } else {
        failures.add("port " + port + ": " + (answer.failed() ? answer.cause().toString()
            : answer.result().statusCode() + " " + answer.result().bodyAsString()));
        vertx.setTimer(RETRY_DELAY_MS, retry -> poll());
      }
    });
  }
}

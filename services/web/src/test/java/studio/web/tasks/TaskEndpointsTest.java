package studio.web.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.net.NetSocket;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.bus.Addresses;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;
import studio.testsupport.HttpClients;
import studio.testsupport.LogLines;
import studio.testsupport.TestInfrastructure;
import studio.web.WebConfig;
import studio.web.WebVerticle;
import studio.web.support.WebNode;

/**
 * The task, flowchart and chat endpoints of web against real PostgreSQL, with a fake hub that answers
 * room positions and a bus listener standing in for the runners (web only records and wakes).
 */
class TaskEndpointsTest {
  private Vertx vertx;
  private WebVerticle web;
  private Pool pool;
  private final List<JsonObject> wakes = new CopyOnWriteArrayList<>();
  private final List<JsonObject> cancels = new CopyOnWriteArrayList<>();

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    CommonConfig common = CommonConfig.from(Settings.of(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl(),
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "STUDIO_HTTP_HOST", "127.0.0.1")), false);
    web = new WebVerticle(new ServiceContext(common, null), WebConfig.defaults(0));
    pool = Database.pool(vertx, common.database());
    vertx.eventBus().<JsonObject>consumer(Addresses.ROOM_POSITIONS, message -> {
      JsonArray positions = new JsonArray();
      message.body().getJsonArray("rooms").forEach(room -> positions.add(new JsonObject().put("room", room).put("offset", 7)
          .put("epoch", "e1")));
      message.reply(new JsonObject().put("positions", positions));
    });
    vertx.eventBus().<JsonObject>consumer(Addresses.TASKS_WAKE, message -> wakes.add(message.body()));
    vertx.eventBus().<JsonObject>consumer(Addresses.TASKS_CANCEL, message -> cancels.add(message.body()));
    await(Database.migrate(vertx, common.database())
        .compose(done -> pool.query("TRUNCATE task, chat_turn, chat_thread, flowchart_run, flowchart, idempotency_key").execute())
        .compose(done -> vertx.deployVerticle(web)));
  }

  @AfterEach
  void undeploy() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, JsonObject body, String idempotencyKey) throws Exception {
    var request = HttpClients.of(vertx).request(method, web.actualPort(), "127.0.0.1", "/api/v1" + path);
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    // A body-less write says it is no HTML form (CrossOriginWrites), as the pages' fetch does.
    return await(body == null ? request.putHeader("X-Requested-With", "test").send() : request.sendJsonObject(body));
  }

  private HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
    return send(HttpMethod.POST, path, body, null);
  }

  private HttpResponse<Buffer> get(String path) throws Exception {
    return send(HttpMethod.GET, path, null, null);
  }

  private static JsonObject noop() {
    return new JsonObject().put("executor", "noop");
  }

  private static JsonObject error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }

  @Test
  @DisplayName("POST /tasks queues the task (202, version 1) and wakes the runners over the bus")
  void submit() throws Exception {
    HttpResponse<Buffer> response = post("/tasks", new JsonObject().put("executor", "sleep")
        .put("params", new JsonObject().put("duration_ms", 5)).put("run_id", 9));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    JsonObject task = response.bodyAsJsonObject();
    assertThat(task.getString("status")).isEqualTo("queued");
    assertThat(task.getLong("version")).isEqualTo(1);
    assertThat(task.getLong("run_id")).isEqualTo(9);
    Awaitility.await().until(() -> !wakes.isEmpty());
  }

  @Test
  @DisplayName("a bad spec is 400 naming the field; a non-JSON body is 415")
  void validation() throws Exception {
    HttpResponse<Buffer> bad = post("/tasks", new JsonObject().put("executor", "http").put("params", new JsonObject()));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(error(bad).getString("code")).isEqualTo("invalid_request");
    assertThat(error(bad).getString("field")).isEqualTo("params.url");
    HttpResponse<Buffer> text = await(HttpClients.of(vertx).post(web.actualPort(), "127.0.0.1", "/api/v1/tasks")
        .putHeader("Content-Type", "application/xml").sendBuffer(Buffer.buffer("<task/>")));
    assertThat(text.statusCode()).isEqualTo(415);
  }

  @Test
  @DisplayName("a retry with the same Idempotency-Key returns the same task and queues nothing more")
  void idempotentRetry() throws Exception {
    HttpResponse<Buffer> first = send(HttpMethod.POST, "/tasks", noop(), "key-1");
    HttpResponse<Buffer> retry = send(HttpMethod.POST, "/tasks", noop(), "key-1");
    assertThat(retry.statusCode()).isEqualTo(202);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject().getLong("id")).isEqualTo(first.bodyAsJsonObject().getLong("id"));
    assertThat(get("/tasks").bodyAsJsonObject().getJsonArray("items")).hasSize(1);
  }

  /**
   * The socket that closes while its request is in flight. Before, the hang-up released the key at once
   * while the endpoint still ran; its answer was then stored nowhere, and the client's retry with the
   * same key created the task a second time.
   */
  @Test
  @DisplayName("a client that hangs up while its Idempotency-Key request runs gets, on retry, the task that request created, not a second")
  void idempotentRequestOutlivesTheClient() throws Exception {
    SqlConnection locker = await(pool.getConnection());
    try {
      // The endpoint's INSERT waits on this lock until the client is gone.
      await(locker.query("BEGIN").execute());
      await(locker.query("LOCK TABLE task IN EXCLUSIVE MODE").execute());
      NetSocket socket = await(vertx.createNetClient().connect(web.actualPort(), "127.0.0.1"));
      String body = noop().encode();
      await(socket.write("POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Idempotency-Key: hang-up\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));
      Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> count(
          "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'task'::regclass") > 0);
      await(socket.close());
      // Web has seen the hang-up once it counts the request as 499.
      Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> await(HttpClients.of(vertx)
          .get(web.actualPort(), "127.0.0.1", "/metrics").send()).bodyAsString().contains("status=\"499\""));
    } finally {
      await(locker.query("COMMIT").execute());
      await(locker.close());
    }
    Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> count(
        "SELECT count(*) FROM idempotency_key WHERE key = 'hang-up' AND response IS NOT NULL") == 1);
    HttpResponse<Buffer> retry = send(HttpMethod.POST, "/tasks", noop(), "hang-up");
    assertThat(retry.statusCode()).isEqualTo(202);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(count("SELECT count(*) FROM task")).isEqualTo(1);
  }

  /**
   * A proxy or client that gives up: web answers 504 at STUDIO_HTTP_REQUEST_TIMEOUT while the endpoint
   * still waits on the database, and the client retries with the same key. Before, the 504 ended the
   * request and released the key under the running endpoint, so the retry created a second task.
   */
  @Test
  @DisplayName("a request answered 504 while its endpoint still runs keeps its Idempotency-Key: the retry gets the task it created")
  void idempotentRequestOutlivesItsTimeout() throws Exception {
    WebNode impatient = WebNode.deploy(vertx, Map.of("STUDIO_HTTP_REQUEST_TIMEOUT", "1s"));
    try (LogLines lines = LogLines.of("studio.web")) {
      SqlConnection locker = await(pool.getConnection());
      HttpResponse<Buffer> timedOut;
      try {
        await(locker.query("BEGIN").execute());
        await(locker.query("LOCK TABLE task IN EXCLUSIVE MODE").execute());
        timedOut = await(impatient.client().post("/api/v1/tasks").putHeader("Idempotency-Key", "timed-out")
            .sendJsonObject(noop()));
      } finally {
        await(locker.query("COMMIT").execute());
        await(locker.close());
      }
      assertThat(timedOut.statusCode()).isEqualTo(504);
      Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> count(
          "SELECT count(*) FROM idempotency_key WHERE key = 'timed-out' AND response IS NOT NULL") == 1);
      HttpResponse<Buffer> retry = await(impatient.client().post("/api/v1/tasks").putHeader("Idempotency-Key", "timed-out")
          .sendJsonObject(noop()));
      assertThat(retry.statusCode()).isEqualTo(202);
      assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(count("SELECT count(*) FROM task")).isEqualTo(1);
      // The late answer is stored, not written over the 504 ("Response head already sent" at ERROR, before).
      assertThat(lines.atLeast(Level.ERROR)).isEmpty();
    }
  }

  private long count(String sql) throws Exception {
    return await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  @Test
  @DisplayName("GET /tasks pages newest first with limit and cursor; a bad limit is 400")
  void paging() throws Exception {
    for (int i = 0; i < 5; i++) {
      post("/tasks", noop());
    }
    JsonObject first = get("/tasks?limit=2").bodyAsJsonObject();
    assertThat(first.getJsonArray("items")).hasSize(2);
    JsonObject second = get("/tasks?limit=2&cursor=" + first.getString("next_cursor")).bodyAsJsonObject();
    JsonObject third = get("/tasks?limit=2&cursor=" + second.getString("next_cursor")).bodyAsJsonObject();
    assertThat(third.getJsonArray("items")).hasSize(1);
    assertThat(third.getString("next_cursor")).isNull();
    long newest = first.getJsonArray("items").getJsonObject(0).getLong("id");
    long oldest = third.getJsonArray("items").getJsonObject(0).getLong("id");
    assertThat(newest).isGreaterThan(oldest);
    assertThat(get("/tasks?limit=0").statusCode()).isEqualTo(400);
    assertThat(get("/tasks?status=sleepy").statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("GET /nodes/{id}/status returns the task with its version and its rooms' cursors; unknown is 404")
  void status() throws Exception {
    long id = post("/tasks", noop().put("run_id", 3)).bodyAsJsonObject().getLong("id");
    HttpResponse<Buffer> response = get("/nodes/" + id + "/status");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getLong("version")).isEqualTo(1);
    assertThat(body.getJsonObject("rooms").fieldNames()).containsExactlyInAnyOrder("task:" + id, "run:3");
    assertThat(body.getJsonObject("rooms").getJsonObject("task:" + id).getLong("offset")).isEqualTo(7);
    assertThat(get("/nodes/999999999/status").statusCode()).isEqualTo(404);
    assertThat(get("/nodes/abc/status").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("POST /tasks/{id}/cancel ends a queued task (202); cancelling it again is 409; unknown is 404")
  void cancel() throws Exception {
    long id = post("/tasks", noop()).bodyAsJsonObject().getLong("id");
    HttpResponse<Buffer> cancelled = post("/tasks/" + id + "/cancel", null);
    assertThat(cancelled.statusCode()).isEqualTo(202);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    assertThat(post("/tasks/" + id + "/cancel", null).statusCode()).isEqualTo(409);
    assertThat(post("/tasks/999999999/cancel", null).statusCode()).isEqualTo(404);
  }

  private static JsonObject flowchart(String... edges) {
    JsonArray nodes = new JsonArray().add(new JsonObject().put("key", "a").put("task", noop()))
        .add(new JsonObject().put("key", "b").put("task", noop()));
    JsonArray edgeArray = new JsonArray();
    for (String edge : edges) {
      edgeArray.add(new JsonObject().put("from", edge.substring(0, 1)).put("to", edge.substring(edge.length() - 1)));
    }
    return new JsonObject().put("name", "f").put("nodes", nodes).put("edges", edgeArray);
  }

  @Test
  @DisplayName("flowcharts: a cycle or an unknown node is 400 naming it; a DAG is 201 and readable; unknown is 404")
  void flowchartValidation() throws Exception {
    HttpResponse<Buffer> cycle = post("/flowcharts", flowchart("a->b", "b->a"));
    assertThat(cycle.statusCode()).isEqualTo(400);
    assertThat(error(cycle).getString("field")).isEqualTo("edges");
    assertThat(error(cycle).getString("message")).contains("cycle");
    HttpResponse<Buffer> unknown = post("/flowcharts", flowchart("a->z"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(error(unknown).getString("field")).isEqualTo("edges[0].to");
    HttpResponse<Buffer> created = post("/flowcharts", flowchart("a->b"));
    assertThat(created.statusCode()).isEqualTo(201);
    long id = created.bodyAsJsonObject().getLong("id");
    assertThat(get("/flowcharts/" + id).bodyAsJsonObject().getJsonObject("definition").getJsonArray("edges")).hasSize(1);
    assertThat(get("/flowcharts/999999999").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("flowchart runs: start (202, roots queued), read with cursors, runtime view, cancel; bad options are 400")
  void flowchartRuns() throws Exception {
    long flowchartId = post("/flowcharts", flowchart("a->b")).bodyAsJsonObject().getLong("id");
    assertThat(get("/flowcharts/" + flowchartId + "/runtime").bodyAsJsonObject().getValue("run")).isNull();
    assertThat(post("/flowcharts/" + flowchartId + "/runs", new JsonObject().put("failure_mode", "sometimes"))
        .statusCode()).isEqualTo(400);
    assertThat(post("/flowcharts/" + flowchartId + "/runs", new JsonObject().put("max_parallel", 0)).statusCode())
        .isEqualTo(400);
    assertThat(post("/flowcharts/999999999/runs", new JsonObject()).statusCode()).isEqualTo(404);
    HttpResponse<Buffer> started = post("/flowcharts/" + flowchartId + "/runs", new JsonObject().put("max_parallel", 2));
    assertThat(started.statusCode()).isEqualTo(202);
    JsonObject run = started.bodyAsJsonObject();
    assertThat(run.getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("status")).toList())
        .containsExactly("queued", "waiting");
    long runId = run.getLong("id");
    JsonObject read = get("/flowchart-runs/" + runId).bodyAsJsonObject();
    assertThat(read.getLong("version")).isEqualTo(run.getLong("version"));
    assertThat(read.getJsonObject("rooms").fieldNames())
        .containsExactlyInAnyOrder("flowchart_run:" + runId, "flowchart:" + flowchartId);
    JsonObject runtime = get("/flowcharts/" + flowchartId + "/runtime").bodyAsJsonObject();
    assertThat(runtime.getJsonObject("run").getLong("id")).isEqualTo(runId);
    HttpResponse<Buffer> cancelled = post("/flowchart-runs/" + runId + "/cancel", null);
    assertThat(cancelled.statusCode()).isEqualTo(202);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    assertThat(get("/flowchart-runs/999999999").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("chat: create a thread (201), submit a turn (202, llm task queued), read the history; bad input 400, unknown 404")
  void chat() throws Exception {
    HttpResponse<Buffer> thread = post("/threads", new JsonObject().put("title", "hello"));
    assertThat(thread.statusCode()).isEqualTo(201);
    long id = thread.bodyAsJsonObject().getLong("id");
    HttpResponse<Buffer> turn = post("/threads/" + id + "/turns", new JsonObject().put("content", "hi there"));
    assertThat(turn.statusCode()).isEqualTo(202);
    assertThat(turn.bodyAsJsonObject().getString("status")).isEqualTo("requested");
    long taskId = turn.bodyAsJsonObject().getLong("task_id");
    assertThat(get("/nodes/" + taskId + "/status").bodyAsJsonObject().getString("executor")).isEqualTo("llm");
    JsonObject history = get("/threads/" + id).bodyAsJsonObject();
    assertThat(history.getJsonArray("turns")).hasSize(1);
    assertThat(history.getLong("version")).isEqualTo(2);
    assertThat(history.getJsonObject("rooms").fieldNames()).containsExactly("thread:" + id);
    assertThat(post("/threads/" + id + "/turns", new JsonObject().put("content", "")).statusCode()).isEqualTo(400);
    assertThat(post("/threads/" + id + "/turns", new JsonObject().put("content", "x").put("provider", "nope")).statusCode())
        .isEqualTo(400);
    assertThat(post("/threads/999999999/turns", new JsonObject().put("content", "x")).statusCode()).isEqualTo(404);
    assertThat(get("/threads/999999999").statusCode()).isEqualTo(404);
  }
}

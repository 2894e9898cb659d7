package studio.web.runs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
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
import studio.contract.bus.CancelRequest;
import studio.runtime.database.Database;
import studio.testsupport.HttpClients;
import studio.web.support.WebNode;

/**
 * POST/GET /api/v1/runs and cancel against real PostgreSQL, with a fake hub answering room positions
 * and bus listeners standing in for the runners (web only records, wakes and signals).
 */
class RunEndpointsTest {
  private Vertx vertx;
  private WebNode web;
  private Pool pool;
  private final List<JsonObject> wakes = new CopyOnWriteArrayList<>();
  private final List<JsonObject> cancels = new CopyOnWriteArrayList<>();

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer(Addresses.ROOM_POSITIONS, message -> {
      JsonArray positions = new JsonArray();
      message.body().getJsonArray("rooms").forEach(room -> positions.add(new JsonObject().put("room", room)
          .put("offset", 7).put("epoch", "e1")));
      message.reply(new JsonObject().put("positions", positions));
    });
    vertx.eventBus().<JsonObject>consumer(Addresses.TASKS_WAKE, message -> wakes.add(message.body()));
    vertx.eventBus().<JsonObject>consumer(Addresses.TASKS_CANCEL, message -> cancels.add(message.body()));
    web = WebNode.deploy(vertx, Map.of());
    pool = Database.pool(vertx, web.context.config().database());
  }

  @AfterEach
  void undeploy() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, JsonObject body, String idempotencyKey) throws Exception {
    var request = HttpClients.of(vertx).request(method, web.port(), "127.0.0.1", "/api/v1" + path);
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    return await(body == null ? request.putHeader("X-Requested-With", "test").send() : request.sendJsonObject(body));
  }

  private static JsonObject tasks(JsonObject... specs) {
    return new JsonObject().put("tasks", new JsonArray(List.of((Object[]) specs)));
  }

  private static JsonObject sleep() {
    return new JsonObject().put("executor", "sleep").put("params", new JsonObject().put("duration_ms", 5));
  }

  private static JsonObject error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }

  /** Event types written to the outbox for {@code room}, oldest first. */
  private List<String> events(String room) throws Exception {
    List<String> types = new ArrayList<>();
    for (Row row : await(pool.preparedQuery("SELECT draft FROM outbox WHERE draft->'room_keys' ? $1 ORDER BY id")
        .execute(Tuple.of(room)))) {
      types.add(row.getJsonObject("draft").getString("event_type"));
    }
    return types;
  }

  @Test
  @DisplayName("POST /runs with three specs creates the run and its tasks (202) with their events, and wakes the runners")
  void create() throws Exception {
    HttpResponse<Buffer> response = send(HttpMethod.POST, "/runs", tasks(sleep(), sleep(),
        new JsonObject().put("executor", "noop")), null);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    JsonObject run = response.bodyAsJsonObject();
    assertThat(run.getString("status")).isEqualTo("queued");
    assertThat(run.getLong("version")).isEqualTo(2);
    assertThat(run.getJsonArray("nodes")).hasSize(3);
    assertThat(run.getJsonArray("nodes")).extracting(node -> ((JsonObject) node).getString("executor"))
        .containsExactly("sleep", "sleep", "noop");
    assertThat(run.getJsonArray("nodes").getJsonObject(0).getJsonObject("runtime").getString("dispatch_status"))
        .isEqualTo("pending");
    String room = "run:" + run.getLong("id");
    assertThat(events(room)).containsExactly("node.task.updated", "node.task.updated", "node.task.updated",
        "autorun.updated", "autorun.node_set.updated");
    Awaitility.await().until(() -> !wakes.isEmpty());
  }

  @Test
  @DisplayName("a bad spec is 400 naming it (tasks[2].executor, tasks[1].params.url), and nothing is created")
  void badSpecs() throws Exception {
    long before = await(pool.query("SELECT count(*) FROM autorun").execute()).iterator().next().getLong(0);
    HttpResponse<Buffer> unknown = send(HttpMethod.POST, "/runs", tasks(sleep(), sleep(),
        new JsonObject().put("executor", "teleport")), null);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(error(unknown).getString("code")).isEqualTo("invalid_request");
    assertThat(error(unknown).getString("field")).isEqualTo("tasks[2].executor");
    HttpResponse<Buffer> url = send(HttpMethod.POST, "/runs", tasks(sleep(),
        new JsonObject().put("executor", "http").put("params", new JsonObject().put("url", "ftp://x"))), null);
    assertThat(error(url).getString("field")).isEqualTo("tasks[1].params.url");
    HttpResponse<Buffer> notObject = send(HttpMethod.POST, "/runs", new JsonObject().put("tasks", new JsonArray().add(1)), null);
    assertThat(error(notObject).getString("field")).isEqualTo("tasks[0]");
    HttpResponse<Buffer> missing = send(HttpMethod.POST, "/runs", new JsonObject(), null);
    assertThat(error(missing).getString("field")).isEqualTo("tasks");
    assertThat(await(pool.query("SELECT count(*) FROM autorun").execute()).iterator().next().getLong(0)).isEqualTo(before);
  }

  @Test
  @DisplayName("a run holds 1 to 100 tasks: 0 and 101 are 400 naming tasks, 100 is accepted")
  void bounds() throws Exception {
    HttpResponse<Buffer> empty = send(HttpMethod.POST, "/runs", tasks(), null);
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(error(empty).getString("field")).isEqualTo("tasks");
    JsonObject noop = new JsonObject().put("executor", "noop");
    HttpResponse<Buffer> tooMany = send(HttpMethod.POST, "/runs",
        new JsonObject().put("tasks", new JsonArray(Collections.nCopies(101, noop))), null);
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(error(tooMany).getString("field")).isEqualTo("tasks");
    HttpResponse<Buffer> hundred = send(HttpMethod.POST, "/runs",
        new JsonObject().put("tasks", new JsonArray(Collections.nCopies(100, noop))), null);
    assertThat(hundred.statusCode()).as(hundred.bodyAsString()).isEqualTo(202);
    assertThat(hundred.bodyAsJsonObject().getInteger("total")).isEqualTo(100);
  }

  @Test
  @DisplayName("POST /runs retried with the same Idempotency-Key answers the first run and creates no second one")
  void idempotent() throws Exception {
    String key = "run-" + System.nanoTime();
    HttpResponse<Buffer> first = send(HttpMethod.POST, "/runs", tasks(sleep()), key);
    HttpResponse<Buffer> retry = send(HttpMethod.POST, "/runs", tasks(sleep()), key);
    assertThat(retry.statusCode()).isEqualTo(202);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject().getLong("id")).isEqualTo(first.bodyAsJsonObject().getLong("id"));
    assertThat(await(pool.preparedQuery("SELECT count(*) FROM task WHERE run_id = $1")
        .execute(Tuple.of(first.bodyAsJsonObject().getLong("id")))).iterator().next().getLong(0)).isEqualTo(1);
  }

  @Test
  @DisplayName("GET /runs/{id} answers the run, its nodes and the cursor of run:<id>; an unknown run is 404")
  void hydration() throws Exception {
    long id = send(HttpMethod.POST, "/runs", tasks(sleep(), sleep()), null).bodyAsJsonObject().getLong("id");
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/runs/" + id, null, null);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonObject run = response.bodyAsJsonObject();
    assertThat(run.getJsonObject("rooms").getJsonObject("run:" + id))
        .isEqualTo(new JsonObject().put("offset", 7).put("epoch", "e1"));
    assertThat(run.getLong("version")).isEqualTo(2);
    assertThat(run.getJsonObject("counts")).isEqualTo(new JsonObject().put("queued", 2));
    assertThat(run.getJsonArray("nodes")).extracting(node -> ((JsonObject) node).getString("status"))
        .containsExactly("queued", "queued");
    assertThat(send(HttpMethod.GET, "/runs/" + (id + 1000), null, null).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.GET, "/runs/abc", null, null).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("POST /runs/{id}/cancel cancels its queued tasks and flags and signals its running ones; again is 409")
  void cancel() throws Exception {
    long id = send(HttpMethod.POST, "/runs", tasks(sleep(), sleep()), null).bodyAsJsonObject().getLong("id");
    long runningTask = await(pool.preparedQuery("""
            UPDATE task SET status = 'running', stage = 'starting', attempts = 1, lease_owner = 'r1',
              lease_expires_at = now() + interval '1 minute'
            WHERE id = (SELECT min(id) FROM task WHERE run_id = $1) RETURNING id""")
        .execute(Tuple.of(id))).iterator().next().getLong(0);
    HttpResponse<Buffer> response = send(HttpMethod.POST, "/runs/" + id + "/cancel", null, null);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    JsonObject run = response.bodyAsJsonObject();
    assertThat(run.getJsonArray("nodes")).extracting(node -> ((JsonObject) node).getString("status"))
        .containsExactly("running", "cancelled");
    assertThat(run.getJsonArray("nodes").getJsonObject(0).getBoolean("cancel_requested")).isTrue();
    assertThat(run.getString("status")).isEqualTo("running");
    Awaitility.await().until(() -> cancels.stream()
        .anyMatch(body -> CancelRequest.fromJson(body).map(CancelRequest::id).orElse(-1L) == runningTask));

    await(pool.preparedQuery("UPDATE task SET status = 'cancelled' WHERE id = $1").execute(Tuple.of(runningTask)));
    await(pool.preparedQuery("UPDATE autorun SET status = 'cancelled' WHERE id = $1").execute(Tuple.of(id)));
    HttpResponse<Buffer> again = send(HttpMethod.POST, "/runs/" + id + "/cancel", null, null);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(error(again).getString("code")).isEqualTo("conflict");
    assertThat(send(HttpMethod.POST, "/runs/999999999/cancel", null, null).statusCode()).isEqualTo(404);
  }
}

package studio.web.downloads;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.Addresses;
import studio.contract.bus.CancelRequest;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;
import studio.testsupport.FreePort;
import studio.testsupport.HttpClients;
import studio.testsupport.TestInfrastructure;
import studio.web.WebConfig;
import studio.web.WebVerticle;

/**
 * The downloads endpoints on a real web gateway and PostgreSQL. The hub is faked by a consumer of
 * {@code studio.rt.positions} (room cursors for hydration); the download service by consumers that
 * record the wake and cancel messages web sends.
 */
@ExtendWith(VertxExtension.class)
class DownloadApiTest {
  private Vertx vertx;
  private WebVerticle web;
  private Pool pool;
  private final List<JsonObject> wakes = new CopyOnWriteArrayList<>();
  private final List<JsonObject> cancels = new CopyOnWriteArrayList<>();

  private static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    this.vertx = vertx;
    int closedRedisPort = FreePort.next();
    CommonConfig common = CommonConfig.from(Settings.of(Map.of("DATABASE_URL", TestInfrastructure.databaseUrl(),
        "REDIS_URL", "redis://127.0.0.1:" + closedRedisPort, "STUDIO_HTTP_HOST", "127.0.0.1")), false);
    join(Database.migrate(vertx, common.database()));
    pool = Database.pool(vertx, common.database());
    vertx.eventBus().<JsonObject>consumer(Addresses.ROOM_POSITIONS, message -> {
      JsonArray positions = new JsonArray();
      message.body().getJsonArray("rooms").forEach(room -> positions.add(new JsonObject().put("room", room)
          .put("offset", 7).put("epoch", "e1")));
      message.reply(new JsonObject().put("positions", positions));
    });
    vertx.eventBus().<JsonObject>consumer(Addresses.DOWNLOADS_WAKE, message -> wakes.add(message.body()));
    vertx.eventBus().<JsonObject>consumer(Addresses.DOWNLOADS_CANCEL, message -> cancels.add(message.body()));
    web = new WebVerticle(new ServiceContext(common, null), WebConfig.defaults(0));
    join(vertx.deployVerticle(web));
  }

  @AfterEach
  void closePool() throws Exception {
    join(pool.close());
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path) {
    return HttpClients.of(vertx).request(method, web.actualPort(), "127.0.0.1", "/api/v1" + path);
  }

  private HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
    return join(request(HttpMethod.POST, path).sendJsonObject(body));
  }

  private HttpResponse<Buffer> get(String path) throws Exception {
    return join(request(HttpMethod.GET, path).send());
  }

  private static JsonObject oneFile(String url, String path) {
    return new JsonObject().put("files", new JsonArray().add(new JsonObject().put("url", url).put("path", path)));
  }

  private long submitted() throws Exception {
    HttpResponse<Buffer> response = post("/downloads", oneFile("https://example.com/model.bin", "models/model.bin"));
    assertThat(response.statusCode()).isEqualTo(202);
    return response.bodyAsJsonObject().getLong("id");
  }

  @Test
  @DisplayName("POST a file list: 202 with the queued job at version 1 and a Location, and the download service is woken")
  void submitFiles() throws Exception {
    HttpResponse<Buffer> response = post("/downloads", oneFile("https://example.com/model.bin", "models//model.bin")
        .put("keep_partial", true));

    assertThat(response.statusCode()).isEqualTo(202);
    JsonObject job = response.bodyAsJsonObject();
    assertThat(job.getString("status")).isEqualTo("queued");
    assertThat(job.getLong("version")).isEqualTo(1);
    assertThat(job.getBoolean("keep_partial")).isTrue();
    assertThat(job.getJsonArray("files").getJsonObject(0).getString("path")).isEqualTo("models/model.bin");
    assertThat(response.getHeader("Location")).isEqualTo("/api/v1/downloads/" + job.getLong("id"));
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> wakes.stream().anyMatch(wake -> job.getLong("id").equals(wake.getLong("job_id"))));
    JsonObject queued = join(pool.preparedQuery("SELECT draft FROM outbox WHERE draft->>'entity_id' = $1 "
        + "AND draft->>'entity_kind' = 'download_job'").execute(Tuple.of(job.getLong("id").toString())))
        .iterator().next().getJsonObject("draft");
    assertThat(queued.getString("event_type")).isEqualTo("download.job.updated");
    assertThat(queued.getLong("entity_version")).isEqualTo(1);
  }

  @Test
  @DisplayName("POST a HuggingFace repo: 202 with the repo kept as the job's source, files resolved later")
  void submitHuggingFace() throws Exception {
    HttpResponse<Buffer> response = post("/downloads", new JsonObject().put("huggingface", new JsonObject()
        .put("repo_id", "org/model").put("revision", "v1.0").put("patterns", new JsonArray().add("*.safetensors"))));

    assertThat(response.statusCode()).isEqualTo(202);
    JsonObject source = response.bodyAsJsonObject().getJsonObject("source").getJsonObject("huggingface");
    assertThat(source.getString("repo_id")).isEqualTo("org/model");
    assertThat(source.getString("target_dir")).isEqualTo("huggingface/org/model");
    assertThat(response.bodyAsJsonObject().getJsonArray("files")).isEmpty();
  }

  @Test
  @DisplayName("a bad URL scheme or an escaping target is a 400 naming the field; a non-JSON body a 415; nothing is queued")
  void refusesBadRequests() throws Exception {
    HttpResponse<Buffer> scheme = post("/downloads", oneFile("file:///etc/passwd", "passwd"));
    assertThat(scheme.statusCode()).isEqualTo(400);
    assertThat(scheme.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_request");
    assertThat(scheme.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("files[0].url");

    HttpResponse<Buffer> traversal = post("/downloads", oneFile("https://example.com/x", "../../etc/cron.d/x"));
    assertThat(traversal.statusCode()).isEqualTo(400);
    assertThat(traversal.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("files[0].path");

    HttpResponse<Buffer> absolute = post("/downloads", oneFile("https://example.com/x", "/etc/passwd"));
    assertThat(absolute.statusCode()).isEqualTo(400);

    HttpResponse<Buffer> text = join(request(HttpMethod.POST, "/downloads")
        .putHeader("Content-Type", "application/xml").sendBuffer(Buffer.buffer("<x/>")));
    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(wakes).isEmpty();
  }

  @Test
  @DisplayName("GET a job: its state with version plus the room cursor to subscribe from; unknown ids are 404")
  void hydrates() throws Exception {
    long id = submitted();

    HttpResponse<Buffer> response = get("/downloads/" + id);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject job = response.bodyAsJsonObject();
    assertThat(job.getLong("id")).isEqualTo(id);
    assertThat(job.getLong("version")).isEqualTo(1);
    assertThat(job.getJsonObject("rooms").getJsonObject("download_job:" + id))
        .isEqualTo(new JsonObject().put("offset", 7).put("epoch", "e1"));
    assertThat(get("/downloads/999999999").statusCode()).isEqualTo(404);
    assertThat(get("/downloads/abc").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("GET the list pages newest first with a next_before cursor; a bad limit is 400")
  void pages() throws Exception {
    long first = submitted();
    long second = submitted();
    long third = submitted();

    JsonObject page = get("/downloads?limit=2&before=" + (third + 1)).bodyAsJsonObject();
    assertThat(page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getLong("id")))
        .containsExactly(third, second);
    assertThat(page.getLong("next_before")).isEqualTo(second);
    JsonObject next = get("/downloads?limit=2&before=" + page.getLong("next_before")).bodyAsJsonObject();
    assertThat(next.getJsonArray("items").getJsonObject(0).getLong("id")).isEqualTo(first);
    assertThat(get("/downloads?limit=0").statusCode()).isEqualTo(400);
    assertThat(get("/downloads?limit=many").statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("cancel a queued job: 202 cancelled with a completed event; again: 202 unchanged; unknown: 404")
  void cancels() throws Exception {
    long id = submitted();

    HttpResponse<Buffer> cancelled = post("/downloads/" + id + "/cancel", new JsonObject().put("keep_partial", true));
    assertThat(cancelled.statusCode()).isEqualTo(202);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.bodyAsJsonObject().getLong("version")).isEqualTo(2);
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> cancels.stream().anyMatch(cancel -> CancelRequest.fromJson(cancel).orElseThrow().id() == id));

    HttpResponse<Buffer> again = join(request(HttpMethod.POST, "/downloads/" + id + "/cancel")
        .putHeader("X-Requested-With", "test").send());
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.bodyAsJsonObject().getLong("version")).isEqualTo(2);
    assertThat(join(request(HttpMethod.POST, "/downloads/999999999/cancel")
        .putHeader("X-Requested-With", "test").send()).statusCode())
        .isEqualTo(404);
  }

  @Test
  @DisplayName("a POST retried with the same Idempotency-Key gets the same job back and queues it once")
  void idempotentRetry() throws Exception {
    JsonObject body = oneFile("https://example.com/once.bin", "once-" + System.nanoTime() + ".bin");
    String key = "dl-" + System.nanoTime();

    HttpResponse<Buffer> first = join(request(HttpMethod.POST, "/downloads")
        .putHeader("Idempotency-Key", key).sendJsonObject(body));
    HttpResponse<Buffer> retry = join(request(HttpMethod.POST, "/downloads")
        .putHeader("Idempotency-Key", key).sendJsonObject(body));

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(retry.statusCode()).isEqualTo(202);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject().getLong("id")).isEqualTo(first.bodyAsJsonObject().getLong("id"));
    String path = body.getJsonArray("files").getJsonObject(0).getString("path");
    assertThat(join(pool.preparedQuery("SELECT count(*) AS n FROM download_file WHERE path = $1").execute(Tuple.of(path)))
        .iterator().next().getLong("n")).isEqualTo(1);
  }
}

package studio.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.testsupport.TestInfrastructure;
import studio.web.serving.RequestTimeout;

/**
 * The /api/v1 router's contract every feature relies on, exercised through a small contract of the
 * test's own: validated JSON bodies, body limit, Idempotency-Key replay and conflicts, one error shape,
 * and no operation left without an endpoint.
 */
@ExtendWith(VertxExtension.class)
class ApiRouterTest {
  /** The test's own small contract: a write with a required field, a read that never answers, a failing write. */
  private static JsonObject contract() {
    // A new object each time: loading a contract writes into the JSON it is given.
    return new JsonObject("""
      {"openapi": "3.1.0", "info": {"title": "test", "version": "1"},
       "servers": [{"url": "http://localhost/api/v1"}],
       "paths": {
         "/things": {"post": {"operationId": "createThing", "requestBody": {"required": true, "content": {
           "application/json": {"schema": {"type": "object", "required": ["name"],
             "properties": {"name": {"type": "string", "minLength": 1}}}}}},
           "responses": {"201": {"description": "created"}}}},
         "/slow": {"get": {"operationId": "slow", "responses": {"200": {"description": "never"}}}},
         "/broken": {"post": {"operationId": "broken", "responses": {"200": {"description": "never"}}}}}}
        """);
  }

  private Pool pool;
  private HttpServer server;
  private WebClient client;
  private final AtomicInteger writes = new AtomicInteger();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    CommonConfig common = CommonConfig.from(Settings.of(Map.of("DATABASE_URL", TestInfrastructure.databaseUrl())), false);
    result(Database.migrate(vertx, common.database()));
    pool = Database.pool(vertx, common.database());
    result(pool.query("CREATE TABLE IF NOT EXISTS api_router_test_thing (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL)")
        .execute());
    Operations operations = Operations.of(vertx, result(OpenAPIContract.from(vertx, contract())));
    operations.bind("createThing", ctx -> pool.preparedQuery("INSERT INTO api_router_test_thing (name) VALUES ($1) RETURNING id")
        .execute(Tuple.of(Validated.body(ctx).getString("name")))
        .compose(rows -> Replies.created(ctx, new JsonObject().put("id", rows.iterator().next().getLong("id")))));
    operations.bindHandler("slow", ctx -> { });
    operations.bind("broken", ctx -> Future.failedFuture(new IllegalStateException("bug")));
    Router api = ApiRouter.create(vertx, operations, List.of(), pool, 1024, writes::incrementAndGet);
    Router root = Router.router(vertx);
    root.route().handler(new RequestTimeout(Duration.ofMillis(300)));
    root.route(ApiRouter.PREFIX + "/*").subRouter(api);
    server = result(vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1"));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
  }

  @AfterEach
  void stop() throws Exception {
    result(pool.close());
  }

  private HttpResponse<Buffer> post(String path, String contentType, String body, String key) throws Exception {
    var request = client.post(path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return result(request.sendBuffer(Buffer.buffer(body)));
  }

  private static String code(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error").getString("code");
  }

  private long rows(String name) throws Exception {
    return result(pool.preparedQuery("SELECT count(*) FROM api_router_test_thing WHERE name = $1").execute(Tuple.of(name)))
        .iterator().next().getLong(0);
  }

  @Test
  @DisplayName("400 malformed JSON, 400 missing field (named), 415 wrong media type, 413 oversize, 404 unknown endpoint")
  void refusals() throws Exception {
    HttpResponse<Buffer> malformed = post("/api/v1/things", "application/json", "{\"name\": ", null);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(code(malformed)).isEqualTo("invalid_request");

    HttpResponse<Buffer> missing = post("/api/v1/things", "application/json", "{}", null);
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("name");

    HttpResponse<Buffer> form = post("/api/v1/things", "application/x-www-form-urlencoded", "name=x", null);
    assertThat(form.statusCode()).isEqualTo(415);
    assertThat(code(form)).isEqualTo("unsupported_media_type");

    HttpResponse<Buffer> huge = post("/api/v1/things", "application/json", "{\"name\":\"" + "x".repeat(4096) + "\"}", null);
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(code(huge)).isEqualTo("too_large");

    HttpResponse<Buffer> unknown = result(client.get("/api/v1/nothing-here").send());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(code(unknown)).isEqualTo("not_found");
  }

  @Test
  @DisplayName("a retry with the same Idempotency-Key and body replays the first answer and does the work once")
  void idempotentRetry() throws Exception {
    HttpResponse<Buffer> first = post("/api/v1/things", "application/json", "{\"name\":\"retried\"}", "key-retry-1");
    HttpResponse<Buffer> retry = post("/api/v1/things", "application/json", "{\"name\":\"retried\"}", "key-retry-1");
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(rows("retried")).isEqualTo(1);
  }

  @Test
  @DisplayName("the same key with a different body is 409; a failed request releases its key for a retry")
  void idempotencyConflicts() throws Exception {
    post("/api/v1/things", "application/json", "{\"name\":\"a\"}", "key-conflict");
    HttpResponse<Buffer> reused = post("/api/v1/things", "application/json", "{\"name\":\"b\"}", "key-conflict");
    assertThat(reused.statusCode()).isEqualTo(409);
    assertThat(code(reused)).isEqualTo("conflict");
    assertThat(rows("b")).isZero();

    HttpResponse<Buffer> invalid = post("/api/v1/things", "application/json", "{}", "key-after-failure");
    assertThat(invalid.statusCode()).isEqualTo(400);
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(result(pool.preparedQuery("SELECT count(*) FROM idempotency_key WHERE key = $1")
            .execute(Tuple.of("key-after-failure"))).iterator().next().getLong(0)).isZero());
    HttpResponse<Buffer> bad = post("/api/v1/things", "application/json", "{}", "bad key with spaces");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("Idempotency-Key");
  }

  @Test
  @DisplayName("an unexpected failure is 500 with the error shape and no stack trace; an unanswered request is 504")
  void internalAndTimeout() throws Exception {
    HttpResponse<Buffer> broken = post("/api/v1/broken", "application/json", "{}", null);
    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(code(broken)).isEqualTo("internal");
    assertThat(broken.bodyAsString()).doesNotContain("IllegalStateException");

    HttpResponse<Buffer> slow = result(client.get("/api/v1/slow").send());
    assertThat(slow.statusCode()).isEqualTo(504);
    assertThat(code(slow)).isEqualTo("timeout");
  }

  @Test
  @DisplayName("a successful write wakes the outbox relay (afterWrite); a refused one does not")
  void afterWriteOnSuccessOnly() throws Exception {
    post("/api/v1/things", "application/json", "{}", null);
    post("/api/v1/things", "application/json", "{\"name\":\"woken\"}", null);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writes.get() == 1);
    assertThat(writes.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("the router refuses to build while an operation of the contract has no endpoint, naming it")
  void unboundOperationRefused(Vertx vertx) throws Exception {
    Operations operations = Operations.of(vertx, result(OpenAPIContract.from(vertx, contract())));
    operations.bindHandler("slow", ctx -> { });
    assertThat(operations.unbound()).containsExactly("broken", "createThing");
    Assertions.assertThatThrownBy(() -> ApiRouter.create(vertx, operations, List.of(), pool, 1024, () -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("broken").hasMessageContaining("createThing");
    Assertions.assertThatThrownBy(() -> operations.bindHandler("nothing", ctx -> { }))
        .hasMessageContaining("nothing");
  }
}

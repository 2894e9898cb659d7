package studio.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.web.support.WebNode;

/**
 * docs/openapi.yaml validates every request before an endpoint runs: a refusal is the API's error
 * shape naming the parameter or the body's field by its path, and authentication comes first.
 */
@ExtendWith(VertxExtension.class)
class ContractValidationTest {
  private static JsonObject error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }

  private static HttpResponse<Buffer> post(WebNode node, String path, String contentType, String body) throws Exception {
    return result(node.client().post(path).putHeader("Content-Type", contentType).sendBuffer(Buffer.buffer(body)));
  }

  @Test
  @DisplayName("an invalid body is 400 invalid_request naming the JSON path of the field at fault")
  void invalidBodyNamesItsPath(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    HttpResponse<Buffer> wrongType = result(node.client().post("/api/v1/tasks").sendJsonObject(new JsonObject()
        .put("executor", "sleep").put("params", new JsonObject().put("duration_ms", "soon"))));
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(error(wrongType).getString("code")).isEqualTo("invalid_request");
    assertThat(error(wrongType).getString("field")).isEqualTo("params.duration_ms");
    assertThat(error(wrongType).getString("message")).startsWith("params.duration_ms: ").contains("integer");

    JsonObject badNode = new JsonObject().put("name", "f").put("nodes", new JsonArray()
        .add(new JsonObject().put("key", "a").put("task", new JsonObject().put("executor", "noop")))
        .add(new JsonObject().put("key", "b").put("task", new JsonObject().put("executor", "teleport"))));
    HttpResponse<Buffer> nested = result(node.client().post("/api/v1/flowcharts").sendJsonObject(badNode));
    assertThat(nested.statusCode()).isEqualTo(400);
    assertThat(error(nested).getString("field")).isEqualTo("nodes[1].task.executor");
    // The value at fault is echoed, so "does not match any of [...]" says what was sent.
    assertThat(error(nested).getString("message")).contains("got \"teleport\"").contains("noop");

    HttpResponse<Buffer> missing = result(node.client().post("/api/v1/threads/1/turns").sendJsonObject(new JsonObject()));
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(error(missing).getString("field")).isEqualTo("content");
    assertThat(error(missing).getString("message")).isEqualTo("content: is required");

    HttpResponse<Buffer> blank = result(node.client().post("/api/v1/threads").sendJsonObject(new JsonObject().put("title", "  ")));
    assertThat(blank.statusCode()).isEqualTo(400);
    assertThat(error(blank).getString("field")).isEqualTo("title");

    HttpResponse<Buffer> notAnObject = post(node, "/api/v1/downloads", "application/json", "[1, 2]");
    assertThat(notAnObject.statusCode()).isEqualTo(400);
    assertThat(error(notAnObject).getString("code")).isEqualTo("invalid_request");
  }

  @Test
  @DisplayName("malformed JSON and an empty required body are 400; a body that is not JSON is 415")
  void malformedAndForeignBodies(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    HttpResponse<Buffer> malformed = post(node, "/api/v1/tasks", "application/json", "{\"executor\": ");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(error(malformed).getString("message")).contains("not valid JSON");
    HttpResponse<Buffer> empty = result(node.client().post("/api/v1/tasks").putHeader("Content-Type", "application/json")
        .send());
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(error(empty).getString("message")).contains("empty");
    HttpResponse<Buffer> xml = result(node.client().post("/api/v1/tasks").putHeader("X-Requested-With", "test")
        .putHeader("Content-Type", "application/xml").sendBuffer(Buffer.buffer("<task/>")));
    assertThat(xml.statusCode()).isEqualTo(415);
    assertThat(error(xml).getString("code")).isEqualTo("unsupported_media_type");
    assertThat(error(xml).getString("message")).contains("application/xml");
  }

  @Test
  @DisplayName("a bad query parameter is 400 naming it; a path id that is no positive integer is 404 naming it")
  void badParametersNameThemselves(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    HttpResponse<Buffer> limit = result(node.client().get("/api/v1/tasks?limit=many").send());
    assertThat(limit.statusCode()).isEqualTo(400);
    assertThat(error(limit).getString("code")).isEqualTo("invalid_request");
    assertThat(error(limit).getString("field")).isEqualTo("limit");
    assertThat(error(limit).getString("message")).contains("\"many\"");
    HttpResponse<Buffer> tooMany = result(node.client().get("/api/v1/downloads?limit=101").send());
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(error(tooMany).getString("field")).isEqualTo("limit");
    HttpResponse<Buffer> before = result(node.client().get("/api/v1/downloads?before=0").send());
    assertThat(before.statusCode()).isEqualTo(400);
    assertThat(error(before).getString("field")).isEqualTo("before");
    HttpResponse<Buffer> status = result(node.client().get("/api/v1/tasks?status=sleepy").send());
    assertThat(status.statusCode()).isEqualTo(400);
    assertThat(error(status).getString("field")).isEqualTo("status");
    HttpResponse<Buffer> id = result(node.client().get("/api/v1/flowcharts/abc").send());
    assertThat(id.statusCode()).isEqualTo(404);
    assertThat(error(id).getString("code")).isEqualTo("not_found");
    assertThat(error(id).getString("field")).isEqualTo("id");
    assertThat(result(node.client().get("/api/v1/downloads/0").send()).statusCode()).isEqualTo(404);
  }

  /**
   * A field the contract does not know is refused, not ignored: a typo ({@code max_atempts},
   * {@code params.duration}) used to be dropped in silence and the task ran with the defaults.
   */
  @Test
  @DisplayName("a body field the contract does not know is 400 naming it, at any depth, so a typo never silently falls back to a default")
  void unknownFieldsAreRefused(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    Map<String, String[]> refused = new java.util.LinkedHashMap<>();
    refused.put("max_atempts", new String[] {"/api/v1/tasks", "{\"executor\":\"noop\",\"max_atempts\":5}"});
    refused.put("params.duration", new String[] {"/api/v1/tasks", "{\"executor\":\"sleep\",\"params\":{\"duration\":5000}}"});
    refused.put("nodes[0].depends_on", new String[] {"/api/v1/flowcharts",
        "{\"name\":\"f\",\"nodes\":[{\"key\":\"a\",\"depends_on\":[\"b\"],\"task\":{\"executor\":\"noop\"}}]}"});
    refused.put("nodes[0].task.retries", new String[] {"/api/v1/flowcharts",
        "{\"name\":\"f\",\"nodes\":[{\"key\":\"a\",\"task\":{\"executor\":\"noop\",\"retries\":2}}]}"});
    refused.put("edges[0].after", new String[] {"/api/v1/flowcharts",
        "{\"name\":\"f\",\"nodes\":[{\"key\":\"a\",\"task\":{\"executor\":\"noop\"}}],\"edges\":[{\"from\":\"a\",\"to\":\"a\",\"after\":1}]}"});
    refused.put("tasks[1].param", new String[] {"/api/v1/runs",
        "{\"tasks\":[{\"executor\":\"noop\"},{\"executor\":\"noop\",\"param\":{}}]}"});
    refused.put("files[0].sha", new String[] {"/api/v1/downloads",
        "{\"files\":[{\"url\":\"https://example.com/a.bin\",\"path\":\"a.bin\",\"sha\":\"00\"}]}"});
    refused.put("huggingface.repo", new String[] {"/api/v1/downloads", "{\"huggingface\":{\"repo\":\"org/model\"}}"});
    refused.put("keep_partials", new String[] {"/api/v1/downloads/1/cancel", "{\"keep_partials\":true}"});
    refused.put("titel", new String[] {"/api/v1/threads", "{\"titel\":\"t\"}"});
    refused.put("maxParallel", new String[] {"/api/v1/flowcharts/1/runs", "{\"maxParallel\":2}"});
    for (Map.Entry<String, String[]> sent : refused.entrySet()) {
      HttpResponse<Buffer> response = post(node, sent.getValue()[0], "application/json", sent.getValue()[1]);
      String field = sent.getKey();
      assertThat(response.statusCode()).as(field + ": " + response.bodyAsString()).isEqualTo(400);
      assertThat(error(response).getString("field")).as(response.bodyAsString()).isEqualTo(field);
      assertThat(error(response).getString("message")).isEqualTo(field + ": is not a field of this request");
    }
    // What the contract does name still passes, whichever composition it comes through.
    HttpResponse<Buffer> known = post(node, "/api/v1/tasks", "application/json",
        "{\"executor\":\"sleep\",\"max_attempts\":2,\"params\":{\"duration_ms\":5},\"run_id\":7}");
    assertThat(known.statusCode()).as(known.bodyAsString()).isEqualTo(202);
    HttpResponse<Buffer> open = post(node, "/api/v1/tasks", "application/json",
        "{\"executor\":\"http\",\"params\":{\"url\":\"https://example.com/\",\"headers\":{\"X-Any-Name\":\"v\"}}}");
    assertThat(open.statusCode()).as(open.bodyAsString()).isEqualTo(202);
  }

  /**
   * Jackson reads 99999999999999999999999 as a BigInteger and {@code Number.longValue()} keeps its low 64
   * bits: unchecked, such a number became another id (200376420520689663) or a stored size nobody sent.
   */
  @Test
  @DisplayName("an integer past 2^53 - 1 (JavaScript's exact range) is refused where it enters, naming the field, never wrapped or rounded")
  void integersOutOfRangeAreRefused(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    for (String huge : new String[] {"99999999999999999999999", "9223372036854775808", "9007199254740992"}) {
      HttpResponse<Buffer> id = result(node.client().get("/api/v1/flowcharts/" + huge).send());
      assertThat(id.statusCode()).as(huge).isEqualTo(404);
      assertThat(error(id).getString("field")).as(huge).isEqualTo("id");
      assertThat(error(id).getString("message")).as(huge).isEqualTo("id: no such id: " + huge);

      HttpResponse<Buffer> cursor = result(node.client().get("/api/v1/tasks?cursor=" + huge).send());
      assertThat(cursor.statusCode()).as(huge).isEqualTo(400);
      assertThat(error(cursor).getString("field")).as(huge).isEqualTo("cursor");
      assertThat(error(cursor).getString("message")).as(huge).contains(huge);

      HttpResponse<Buffer> runId = post(node, "/api/v1/tasks", "application/json",
          "{\"executor\":\"noop\",\"run_id\":" + huge + "}");
      assertThat(runId.statusCode()).as(huge).isEqualTo(400);
      assertThat(error(runId).getString("field")).as(huge).isEqualTo("run_id");
      assertThat(error(runId).getString("message")).as(huge).contains("9007199254740991");

      HttpResponse<Buffer> size = post(node, "/api/v1/downloads", "application/json",
          "{\"files\":[{\"url\":\"https://example.com/a.bin\",\"path\":\"a.bin\",\"size\":" + huge + "}]}");
      assertThat(size.statusCode()).as(huge).isEqualTo(400);
      assertThat(error(size).getString("field")).as(huge).isEqualTo("files[0].size");
    }
    HttpResponse<Buffer> largestId = result(node.client().get("/api/v1/flowcharts/9007199254740991").send());
    assertThat(largestId.statusCode()).isEqualTo(404);
    assertThat(error(largestId).getString("message")).isEqualTo("no flowchart 9007199254740991");
  }

  @Test
  @DisplayName("authentication runs before validation: an unauthenticated caller with a bad body gets 401, not 400")
  void authenticationBeforeValidation(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "basic",
        "STUDIO_ADMIN_PASSWORD", "secret-password-0123456789abcdef"));
    HttpResponse<Buffer> anonymous = result(node.client().post("/api/v1/tasks").sendJsonObject(new JsonObject()));
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.bodyAsString()).doesNotContain("executor");
    HttpResponse<Buffer> signedIn = result(node.client().post("/api/v1/tasks")
        .basicAuthentication("admin", "secret-password-0123456789abcdef").sendJsonObject(new JsonObject()));
    assertThat(signedIn.statusCode()).isEqualTo(400);
    assertThat(error(signedIn).getString("field")).isEqualTo("executor");
  }
}

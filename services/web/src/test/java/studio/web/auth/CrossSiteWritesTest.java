package studio.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.web.support.WebNode;

/**
 * Writes a foreign site could forge: an HTML form posts cross-site with the user's cookies and no
 * preflight, but only as a form type, and it cannot add headers; and its Origin is not ours, whatever
 * Host header the request carries.
 */
@ExtendWith(VertxExtension.class)
class CrossSiteWritesTest {
  private static final Map<String, String> NAMED_ORIGIN = Map.of("STUDIO_CORS_ALLOWED_ORIGINS", "https://studio.example.com");

  private static HttpResponse<Buffer> post(WebNode node, String path, Map<String, String> headers, String body)
      throws Exception {
    var request = node.client().post("/api/v1" + path);
    headers.forEach(request::putHeader);
    return result(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)));
  }

  private static JsonObject error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }

  @Test
  @DisplayName("a cross-site form POST is 403 naming what a write needs, even with CORS * (development)")
  void crossSiteFormPost(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    HttpResponse<Buffer> forged = post(node, "/tasks", Map.of("Origin", "https://evil.example",
        "Content-Type", "application/x-www-form-urlencoded"), "executor=noop");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(error(forged).getString("code")).isEqualTo("forbidden");
    assertThat(error(forged).getString("message")).contains("application/x-www-form-urlencoded")
        .contains("application/json").contains("X-Requested-With");
  }

  @Test
  @DisplayName("form types are refused without an Origin too: multipart, text/plain and urlencoded")
  void formTypesWithoutOrigin(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, NAMED_ORIGIN);
    for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "text/plain;charset=UTF-8"}) {
      HttpResponse<Buffer> response = post(node, "/tasks", Map.of("Content-Type", type), "{\"executor\":\"noop\"}");
      assertThat(response.statusCode()).as(type).isEqualTo(403);
      assertThat(error(response).getString("code")).as(type).isEqualTo("forbidden");
    }
  }

  @Test
  @DisplayName("a body-less POST (cancel) needs X-Requested-With or a JSON type; with one it reaches the endpoint")
  void bodylessPost(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    assertThat(post(node, "/tasks/999999999/cancel", Map.of(), null).statusCode()).isEqualTo(403);
    assertThat(post(node, "/tasks/999999999/cancel", Map.of("X-Requested-With", "fetch"), null).statusCode())
        .isEqualTo(404);
    assertThat(post(node, "/tasks/999999999/cancel", Map.of("Content-Type", "application/json"), null).statusCode())
        .isEqualTo(404);
  }

  @Test
  @DisplayName("a JSON POST from the configured origin, or from a script without Origin, works")
  void jsonFromOurOrigin(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, NAMED_ORIGIN);
    HttpResponse<Buffer> page = post(node, "/tasks", Map.of("Origin", "https://studio.example.com",
        "Content-Type", "application/json"), "{\"executor\":\"noop\"}");
    assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(202);
    HttpResponse<Buffer> script = post(node, "/tasks", Map.of("Content-Type", "application/json"),
        "{\"executor\":\"noop\"}");
    assertThat(script.statusCode()).as(script.bodyAsString()).isEqualTo(202);
  }

  @Test
  @DisplayName("same-origin is the configured origin, not the Host header: a foreign Origin with a matching Host is 403")
  void hostHeaderDoesNotMakeSameOrigin(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, NAMED_ORIGIN);
    HttpResponse<Buffer> forged = post(node, "/tasks", Map.of("Origin", "http://evil.example", "Host", "evil.example",
        "Content-Type", "application/json"), "{\"executor\":\"noop\"}");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(error(forged).getString("message")).contains("http://evil.example").contains("STUDIO_CORS_ALLOWED_ORIGINS");
  }
}

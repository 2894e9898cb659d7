package studio.web.health;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.Addresses;
import studio.web.support.WebNode;

/**
 * Internals (hosts, PIDs, task ids, raw database errors, counters, tokens to every room) answer only a
 * caller who signed in, in every mode that signs users in; what orchestrators probe stays open.
 */
@ExtendWith(VertxExtension.class)
class InternalsAccessTest {
  private static final String PASSWORD = "correct-horse-battery-staple-0123456789";
  private static final String WORKER_SECRET = "worker-secret-for-internals-0123456789abcdef";
  private static final Map<String, String> BASIC = Map.of("STUDIO_AUTH_MODE", "basic",
      "STUDIO_ADMIN_PASSWORD", PASSWORD, "WORKER_SHARED_SECRET", WORKER_SECRET);
  /** Read by the operators' page with the user's session. */
  private static final List<String> SIGNED_IN = List.of("/api/v1/infrastructure/health",
      "/api/v1/infrastructure/health/redis", "/api/v1/infrastructure/health/workers",
      "/api/v1/infrastructure/health/full", "/api/v1/realtime/stats", "/api/v1/outbox/stats",
      "/api/v1/realtime/token");

  private static String basic() {
    return "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());
  }

  private static HttpResponse<Buffer> get(WebNode node, String path, String authorization) throws Exception {
    var request = node.client().get(path);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return result(request.send());
  }

  @Test
  @DisplayName("basic: detailed health, stats, outbox and the realtime token are 401 without a login, answered with one")
  void basicModeNeedsALogin(Vertx vertx) throws Exception {
    vertx.eventBus().<JsonObject>consumer(Addresses.HUB_STATS, request -> request.reply(new JsonObject()));
    WebNode node = WebNode.deploy(vertx, BASIC);
    for (String path : SIGNED_IN) {
      HttpResponse<Buffer> anonymous = get(node, path, null);
      assertThat(anonymous.statusCode()).as(path + " without credentials").isEqualTo(401);
      assertThat(anonymous.bodyAsString()).as(path).doesNotContain("postgres").doesNotContain("token\"");
      HttpResponse<Buffer> signedIn = get(node, path, basic());
      // workers and full include the worker check, which is DOWN here (no worker process): 503 with the report.
      assertThat(signedIn.statusCode()).as(path + " signed in: " + signedIn.bodyAsString()).isIn(200, 503);
      assertThat(signedIn.bodyAsJsonObject().containsKey("error")).as(path + " answered, not refused").isFalse();
    }
    assertThat(get(node, "/api/v1/infrastructure/health", basic()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("basic: /metrics on web's port is 401 without Authorization: Bearer <WORKER_SHARED_SECRET>, 200 with it")
  void basicModeMetrics(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, BASIC);
    HttpResponse<Buffer> anonymous = get(node, "/metrics", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.bodyAsString()).doesNotContain("http_server_requests");
    assertThat(get(node, "/metrics", "Bearer not-the-secret").statusCode()).isEqualTo(401);
    HttpResponse<Buffer> scraped = get(node, "/metrics", "Bearer " + WORKER_SECRET);
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.bodyAsString()).contains("http_server_requests");
  }

  @Test
  @DisplayName("proxy: the same internals need the trusted proxy's identity header")
  void proxyModeNeedsTheProxy(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "proxy", "STUDIO_PROXY_FIX_ENABLED", "true",
        "WORKER_SHARED_SECRET", WORKER_SECRET));
    assertThat(get(node, "/api/v1/infrastructure/health/full", null).statusCode()).isEqualTo(401);
    assertThat(get(node, "/metrics", null).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> signedIn = result(node.client().get("/api/v1/infrastructure/health")
        .putHeader("X-Forwarded-User", "ada").send());
    assertThat(signedIn.statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("liveness and readiness stay open in every mode, for orchestrators")
  void probesStayOpen(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, BASIC);
    assertThat(get(node, "/health", null).statusCode()).isEqualTo(200);
    assertThat(get(node, "/health/ready", null).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("none (development): everything stays open")
  void developmentStaysOpen(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    assertThat(get(node, "/api/v1/infrastructure/health", null).statusCode()).isEqualTo(200);
    assertThat(get(node, "/metrics", null).statusCode()).isEqualTo(200);
    assertThat(get(node, "/api/v1/realtime/token", null).statusCode()).isEqualTo(200);
  }
}

package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.support.HubNode;
import studio.testsupport.HttpClients;

/**
 * The hub has no user login, and its realtime path is routed to the internet by every shipped proxy:
 * once the deployment signs users in, its counters and metrics answer only the worker secret.
 */
@ExtendWith(VertxExtension.class)
class HubInternalsTest {

  private static HttpResponse<Buffer> get(Vertx vertx, HubNode node, String path, String authorization)
      throws Exception {
    HttpRequest<Buffer> request = HttpClients.of(vertx).get(node.port(), "127.0.0.1", path);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("basic: /rt/stats and /metrics are 401 without Bearer <WORKER_SHARED_SECRET>, 200 with it")
  void basicModeNeedsTheWorkerSecret(Vertx vertx) throws Exception {
    HubNode node = HubNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "basic"));
    for (String path : new String[] {"/rt/stats", "/metrics"}) {
      HttpResponse<Buffer> anonymous = get(vertx, node, path, null);
      assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
      assertThat(anonymous.getHeader("WWW-Authenticate")).as(path).isEqualTo("Bearer");
      assertThat(get(vertx, node, path, "Bearer wrong").statusCode()).as(path).isEqualTo(401);
      assertThat(get(vertx, node, path, "Bearer " + HubNode.WORKER_SECRET).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(get(vertx, node, "/rt/stats", "Bearer " + HubNode.WORKER_SECRET).bodyAsJsonObject()
        .containsKey("connections")).isTrue();
  }

  @Test
  @DisplayName("proxy mode guards them the same way; liveness and readiness stay open")
  void probesStayOpen(Vertx vertx) throws Exception {
    HubNode node = HubNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "proxy"));
    assertThat(get(vertx, node, "/rt/stats", null).statusCode()).isEqualTo(401);
    assertThat(get(vertx, node, "/health", null).statusCode()).isEqualTo(200);
    assertThat(get(vertx, node, "/health/ready", null).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("none (development): counters and metrics stay open")
  void developmentStaysOpen(Vertx vertx) throws Exception {
    HubNode node = HubNode.deploy(vertx, Map.of());
    assertThat(get(vertx, node, "/rt/stats", null).statusCode()).isEqualTo(200);
    assertThat(get(vertx, node, "/metrics", null).statusCode()).isEqualTo(200);
  }
}

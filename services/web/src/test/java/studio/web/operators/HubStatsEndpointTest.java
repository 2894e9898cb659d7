package studio.web.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.Addresses;
import studio.web.support.WebNode;

/** The operators' page reads the hub's counters through web; a consumer of studio.rt.stats stands in for the hub. */
@ExtendWith(VertxExtension.class)
class HubStatsEndpointTest {

  @Test
  @DisplayName("GET /api/v1/realtime/stats answers what a hub replies on studio.rt.stats, uncached")
  void relaysTheHubsCounters(Vertx vertx) throws Exception {
    JsonObject counters = new JsonObject().put("connections", 3)
        .put("connections_by_transport", new JsonObject().put("websocket", 2).put("polling", 1))
        .put("subscriptions", 5).put("rooms", 4).put("instances", 1)
        .put("events_published", 40).put("events_delivered", 90).put("broker", "redis");
    vertx.eventBus().<JsonObject>consumer(Addresses.HUB_STATS, request -> request.reply(counters));
    WebNode node = WebNode.deploy(vertx, Map.of());

    HttpResponse<?> response = result(node.client().get("/api/v1/realtime/stats").send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(response.bodyAsJsonObject()).isEqualTo(counters);
  }

  @Test
  @DisplayName("with no hub on the event bus the answer is 503 unavailable, not a hang")
  void noHubIsUnavailable(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());

    HttpResponse<?> response = result(node.client().get("/api/v1/realtime/stats").send());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unavailable");
  }

  @Test
  @DisplayName("it sits behind web's authentication like every /api/v1 read")
  void needsAuthentication(Vertx vertx) throws Exception {
    vertx.eventBus().<JsonObject>consumer(Addresses.HUB_STATS, request -> request.reply(new JsonObject()));
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "basic",
        "STUDIO_ADMIN_PASSWORD", "secret-password-0123456789abcdef"));

    HttpResponse<?> response = result(node.client().get("/api/v1/realtime/stats").send());

    assertThat(response.statusCode()).isEqualTo(401);
  }
}

package studio.web;

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
import studio.web.support.WebNode;

@ExtendWith(VertxExtension.class)
class WebReadinessTest {

  @Test
  @DisplayName("no worker alive: web stays ready (pages and writes work), the workers report says DOWN")
  void readyWithoutWorkers(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    HttpResponse<?> ready = result(node.client().get("/health/ready").send());
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").fieldNames())
        .containsExactlyInAnyOrder("postgres", "redis", "cluster");

    HttpResponse<?> workers = result(node.client().get("/api/v1/infrastructure/health/workers").send());
    assertThat(workers.statusCode()).isEqualTo(503);
    JsonObject check = workers.bodyAsJsonObject().getJsonObject("checks").getJsonObject("workers");
    assertThat(check.getString("reason")).contains("no worker heartbeat");
  }
}

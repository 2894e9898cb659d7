package studio.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;
import studio.testsupport.FreePort;
import studio.testsupport.HttpClients;
import studio.testsupport.TestInfrastructure;

/** Health with one dependency dead: a clear DOWN with a reason, the process itself stays up. */
@ExtendWith(VertxExtension.class)
class WebHealthTest {
  private WebVerticle web;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext test) throws Exception {
    CommonConfig common = CommonConfig.from(Settings.of(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl(),
        "REDIS_URL", "redis://127.0.0.1:" + FreePort.next(),
        "STUDIO_HTTP_HOST", "127.0.0.1")), false);
    web = new WebVerticle(new ServiceContext(common, null), WebConfig.defaults(0));
    test.assertComplete(Database.migrate(vertx, common.database()).compose(done -> vertx.deployVerticle(web)))
        .onComplete(test.succeedingThenComplete());
  }

  @AfterEach
  void undeploy(Vertx vertx, VertxTestContext test) {
    vertx.close().onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("with Redis down, readiness is 503 naming redis DOWN with a reason, PostgreSQL UP")
  void redisDown(Vertx vertx, VertxTestContext test) {
    HttpClients.of(vertx).get(web.actualPort(), "127.0.0.1", "/health/ready").send()
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(503);
          JsonObject checks = response.bodyAsJsonObject().getJsonObject("checks");
          assertThat(checks.getJsonObject("redis").getString("status")).isEqualTo("DOWN");
          assertThat(checks.getJsonObject("redis").getString("reason")).isNotBlank();
          assertThat(checks.getJsonObject("postgres").getString("status")).isEqualTo("UP");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("with Redis down, liveness still answers 200: the process is alive and must not be restarted for it")
  void livenessIgnoresDependencies(Vertx vertx, VertxTestContext test) {
    HttpClients.of(vertx).get(web.actualPort(), "127.0.0.1", "/health").send()
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("with no worker process running, the workers endpoint says so with 503")
  void noWorkers(Vertx vertx, VertxTestContext test) {
    HttpClients.of(vertx).get(web.actualPort(), "127.0.0.1", "/api/v1/infrastructure/health/workers").send()
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(503);
          assertThat(response.bodyAsJsonObject().getJsonObject("checks").getJsonObject("workers").getString("reason"))
              .contains("no worker heartbeat");
          test.completeNow();
        })));
  }
}

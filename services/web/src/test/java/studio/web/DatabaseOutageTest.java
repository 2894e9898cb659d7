package studio.web;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.testsupport.TcpProxy;
import studio.testsupport.TestInfrastructure;
import studio.web.support.WebNode;

/** PostgreSQL going away is the server's trouble, not a bug: clients get 503 and retry, then it works again. */
@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {

  @Test
  @DisplayName("PostgreSQL unreachable: reads and writes answer 503 unavailable with Retry-After, not 500; back once it returns")
  void databaseDownIsUnavailable(Vertx vertx) throws Exception {
    URI database = URI.create(TestInfrastructure.databaseUrl());
    TcpProxy proxy = result(TcpProxy.start(vertx, database.getHost(), database.getPort()));
    String throughProxy = TestInfrastructure.databaseUrl().replace(":" + database.getPort() + "/", ":" + proxy.port() + "/");
    WebNode node = WebNode.deploy(vertx, Map.of("DATABASE_URL", throughProxy));
    JsonObject task = new JsonObject().put("executor", "noop");
    HttpResponse<?> created = result(node.client().post("/api/v1/tasks").sendJsonObject(task));
    assertThat(created.statusCode()).isEqualTo(202);
    String status = "/api/v1/nodes/" + created.bodyAsJsonObject().getLong("id") + "/status";

    result(proxy.cut());
    for (HttpResponse<?> answer : List.of(
        result(node.client().get(status).send()),
        result(node.client().post("/api/v1/tasks").sendJsonObject(task)))) {
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(503);
      assertThat(answer.getHeader("Retry-After")).isNotBlank();
      assertThat(answer.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unavailable");
    }

    result(proxy.restore());
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
        result(node.client().post("/api/v1/tasks").sendJsonObject(task)).statusCode() == 202);
  }
}

package studio.web.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.database.Database;
import studio.web.support.WebNode;

/** The operators' page reads the outbox's pending and dead-lettered rows through web, from the real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class OutboxEndpointTest {

  private static long insert(Pool pool, String sql, Tuple values) throws Exception {
    return result(pool.preparedQuery(sql).execute(values)).iterator().next().getLong("id");
  }

  @Test
  @DisplayName("GET /api/v1/outbox/stats counts pending and dead-lettered rows and lists the newest dead ones with their errors")
  void countsAndListsDeadLetters(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    Pool pool = Database.pool(vertx, node.context.config().database());
    JsonObject before = result(node.client().get("/api/v1/outbox/stats").send()).bodyAsJsonObject();
    JsonObject draft = new JsonObject().put("event_type", "chat.turn.requested").put("entity_kind", "thread")
        .put("entity_id", "77").put("room_keys", new JsonArray().add("thread:77")).put("payload", new JsonObject());
    long dead = insert(pool, "INSERT INTO outbox (draft, dead_at, attempts, last_error) VALUES ($1, now(), 1, $2) RETURNING id",
        Tuple.of(draft, "too_large: payload: payload and runtime encode to 70149 bytes, limit is 65536"));

    HttpResponse<?> response = result(node.client().get("/api/v1/outbox/stats").send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject stats = response.bodyAsJsonObject();
    assertThat(stats.getLong("dead_lettered")).isEqualTo(before.getLong("dead_lettered") + 1);
    assertThat(stats.getLong("pending")).isNotNegative();
    JsonObject newest = stats.getJsonArray("newest_dead_letters").getJsonObject(0);
    assertThat(newest.getLong("id")).isEqualTo(dead);
    assertThat(newest.getString("event_type")).isEqualTo("chat.turn.requested");
    assertThat(newest.getString("entity_kind") + ":" + newest.getString("entity_id")).isEqualTo("thread:77");
    assertThat(newest.getString("last_error")).startsWith("too_large:").contains("limit is 65536");
    assertThat(newest.getString("dead_at")).isNotBlank();
    result(pool.close());
  }
}

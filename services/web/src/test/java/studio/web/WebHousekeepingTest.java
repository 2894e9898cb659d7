package studio.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.Addresses;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.database.DatabaseConfig;
import studio.testsupport.TestInfrastructure;
import studio.web.support.WebNode;

/** The process's one outbox relay ({@code OutboxVerticle}): every web instance wakes it after a write. */
@ExtendWith(VertxExtension.class)
class WebHousekeepingTest {

  @Test
  @DisplayName("a committed write's event goes out at once, not at the relay's next poll (an hour away here)")
  void writeWakesTheRelay(Vertx vertx) throws Exception {
    DatabaseConfig database = CommonConfig.from(Settings.of(Map.of("DATABASE_URL", TestInfrastructure.databaseUrl())), false).database();
    result(Database.migrate(vertx, database));
    Pool pool = Database.pool(vertx, database);
    // Rows other tests left pending would go first (id order) and are none of this test's business.
    result(pool.query("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND dead_at IS NULL").execute());
    List<String> published = new CopyOnWriteArrayList<>();
    AtomicLong sequence = new AtomicLong();
    result(vertx.eventBus().<JsonObject>consumer(Addresses.PUBLISH, message -> {
      DraftEvent draft = DraftEvent.fromJson(message.body());
      published.add(draft.sequenceStream());
      message.reply(Envelope.sequenced(draft, UUID.randomUUID(), sequence.incrementAndGet(), Instant.now()).toJson());
    }).completion());
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_OUTBOX_POLL_INTERVAL", "1h"));

    HttpResponse<?> created = result(node.client().post("/api/v1/tasks").sendJsonObject(new JsonObject().put("executor", "noop")));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    String task = "task:" + created.bodyAsJsonObject().getLong("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> published.contains(task));
  }
}

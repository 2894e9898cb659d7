package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.error.CloseCode;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.RealtimeClient;

/** A client that stops reading must not grow the hub's heap: conflate progress, else disconnect. */
@ExtendWith(VertxExtension.class)
class BackpressureTest {
  private static final String PADDING = "x".repeat(8 * 1024);
  private HubNode node;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String room = "download_job:" + id;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_CLIENT_QUEUE_MAX", "262144"));
  }

  private RealtimeClient subscribed() throws Exception {
    RealtimeClient client = RealtimeClient.open(node.vertx, node.port(), "/rt/ws?token=" + Tokens.grant(node.vertx, room));
    client.awaitReply(client.subscribe(room));
    return client;
  }

  private JsonObject event(String type, int i) {
    return new JsonObject().put("event_type", type).put("entity_kind", "download_job").put("entity_id", id)
        .put("room_keys", new JsonArray().add(room))
        .put("payload", new JsonObject().put("bytes_done", i).put("padding", PADDING));
  }

  @Test
  @DisplayName("a stalled client is disconnected with 4001 slow consumer; a reading client gets every event")
  void slowConsumerDisconnected() throws Exception {
    RealtimeClient stalled = subscribed();
    RealtimeClient reading = subscribed();
    stalled.pause();
    node.publishAll(IntStream.range(0, 2000).mapToObj(i -> event("download.job.completed", i)).toList(), 100);
    reading.awaitEvents(room, 2000);
    await().atMost(Duration.ofSeconds(30)).until(() -> node.metric("studio_rt_slow_consumer_disconnects_total") == 1);
    stalled.resume();
    stalled.awaitClosed();
    assertThat(stalled.closeCode).isEqualTo((short) CloseCode.SLOW_CONSUMER.code());
    assertThat(reading.isClosed()).isFalse();
  }

  @Test
  @DisplayName("progress events for a lagging client are conflated: fewer frames, the latest state, every offset accounted for")
  void progressIsConflated() throws Exception {
    RealtimeClient lagging = subscribed();
    lagging.pause();
    node.publishAll(IntStream.range(0, 3000).mapToObj(i -> event("download.job.updated", i)).toList(), 100);
    lagging.resume();
    await().atMost(Duration.ofSeconds(60)).until(() -> lagging.events(room).stream()
        .anyMatch(e -> e.getLong("offset") == 3000));
    List<JsonObject> received = lagging.events(room);
    assertThat(lagging.isClosed()).isFalse();
    assertThat(received.size()).isLessThan(3000);
    assertThat(received).extracting(e -> e.getLong("offset")).isSorted().doesNotHaveDuplicates();
    assertThat(received.stream().mapToLong(e -> 1 + e.getLong("conflated", 0L)).sum()).isEqualTo(3000);
    assertThat(received.get(received.size() - 1).getLong("offset")).as("the newest state is delivered last").isEqualTo(3000);
    assertThat(received).anyMatch(e -> e.getLong("conflated", 0L) > 0);
  }
}

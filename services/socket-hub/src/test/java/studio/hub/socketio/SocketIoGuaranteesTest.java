package studio.hub.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.error.CloseCode;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;

/**
 * The native protocol's per-connection guarantees, through Socket.IO: the byte bound (a page that stops
 * polling is disconnected as a slow consumer, its buffers jointly bounded) and the rate limit.
 */
@ExtendWith(VertxExtension.class)
class SocketIoGuaranteesTest {
  private static final int QUEUE_MAX = 128 * 1024;
  private static final int RATE = 5;
  private static final String PADDING = "x".repeat(8 * 1024);
  private HubNode node;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    // A long heartbeat, so a page that stops polling is ended by the byte bound, not by a missed pong.
    node = HubNode.deploy(vertx, Map.of("STUDIO_RT_BROKER", "memory", "REDIS_URL", "redis://127.0.0.1:1",
        "STUDIO_RT_PING_INTERVAL", "20s", "STUDIO_RT_PING_TIMEOUT", "20s",
        "STUDIO_RT_CLIENT_QUEUE_MAX", String.valueOf(QUEUE_MAX), "STUDIO_RT_CLIENT_RATE", String.valueOf(RATE)));
  }

  private EngineIoClient subscribed(Vertx vertx, String room) throws Exception {
    EngineIoClient client = new EngineIoClient(vertx).open(node.port(), "");
    client.post(node.port(), "40/rt,{\"token\":\"" + Tokens.grant(vertx, room) + "\"}",
        "42/rt,1[\"rt.subscribe\",{\"rooms\":[\"" + room + "\"]}]");
    List<String> seen = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      seen.addAll(client.poll(node.port()));
      return seen.stream().anyMatch(packet -> packet.startsWith("43/rt,1"));
    });
    return client;
  }

  private static JsonObject padded(String entity, String room, int i) {
    // A type that is never conflated: every event must be held or the page disconnected.
    JsonObject draft = HubNode.draft(entity, room).put("event_type", "node.task.completed");
    draft.getJsonObject("payload").put("n", i).put("padding", PADDING);
    return draft;
  }

  @Test
  @DisplayName("a page that stops polling is disconnected as a slow consumer once the session queue and the polling outbox together pass the bound")
  void slowConsumerOverPolling(Vertx vertx) throws Exception {
    String room = "task:slow1";
    EngineIoClient stalled = subscribed(vertx, room);
    EngineIoClient reading = subscribed(vertx, room);
    // 16 events of ~8.5 KiB: ~136 KiB as session frames, twice that as Socket.IO packets (typed + rt.event).
    // Over the 128 KiB bound held jointly; under it for either buffer alone.
    int count = 16;
    List<String> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      node.publish(padded("slow1", room, i));
      int expected = i + 1;
      // The reading page keeps up: it has each event before the next is published.
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        reading.poll(node.port()).stream().filter(packet -> packet.startsWith("42/rt,[\"rt.event\"")).forEach(events::add);
        return events.size() >= expected;
      });
    }
    assertThat(events).hasSize(count);
    await().atMost(Duration.ofSeconds(5)).until(() -> node.metric("studio_rt_slow_consumer_disconnects_total") == 1);

    // What the stalled page reads when it comes back: what was held (no more than the bound), then why it ends.
    List<String> last = new ArrayList<>();
    int held = 0;
    for (int polls = 0; polls < 5 && !last.contains("1"); polls++) {
      List<String> packets = stalled.poll(node.port());
      held += packets.stream().mapToInt(String::length).sum();
      last.addAll(packets);
    }
    assertThat(held).as("bytes held for the stalled page").isLessThanOrEqualTo(QUEUE_MAX + 4096);
    String closing = last.stream().filter(packet -> packet.startsWith("42/rt,[\"rt.closing\"")).findFirst().orElseThrow();
    JsonObject why = new JsonArray(closing.substring("42/rt,".length())).getJsonObject(1);
    assertThat(why.getInteger("code")).isEqualTo(CloseCode.SLOW_CONSUMER.code());
    assertThat(why.getString("reason")).isEqualTo("slow consumer");
    assertThat(why.getBoolean("reconnect")).isTrue();
    assertThat(last).contains("1");
  }

  @Test
  @DisplayName("a page emitting faster than STUDIO_RT_CLIENT_RATE gets rate_limited acks, then is disconnected with rate limited")
  void rateLimited(Vertx vertx) throws Exception {
    EngineIoClient client = subscribed(vertx, "task:rate1");
    String[] burst = IntStream.range(10, 10 + RATE * 6).mapToObj(i -> "42/rt," + i + "[\"rt.health\"]").toArray(String[]::new);
    client.post(node.port(), burst);
    List<String> packets = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      packets.addAll(client.poll(node.port()));
      return packets.contains("1");
    });
    assertThat(packets).anyMatch(packet -> packet.startsWith("43/rt,") && packet.contains("\"code\":\"rate_limited\""));
    String closing = packets.stream().filter(packet -> packet.startsWith("42/rt,[\"rt.closing\"")).findFirst().orElseThrow();
    JsonObject why = new JsonArray(closing.substring("42/rt,".length())).getJsonObject(1);
    assertThat(why.getInteger("code")).isEqualTo(CloseCode.RATE_LIMITED.code());
    assertThat(why.getString("reason")).isEqualTo("rate limited");
  }
}

package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.error.CloseCode;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.HttpClients;
import studio.testsupport.RealtimeClient;
import studio.testsupport.TestInfrastructure;

/** Clients that behave as browsers and networks do on a bad day: gone mid-request, never reading, greedy. */
@ExtendWith(VertxExtension.class)
class HostileClientTest {
  private HubNode node;
  private Vertx vertx;
  private final String id = UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    this.vertx = vertx;
    node = HubNode.deploy(vertx, Map.of(
        "STUDIO_RT_CLIENT_RATE", "100000",
        "STUDIO_RT_CLIENT_QUEUE_MAX", "262144",
        "STUDIO_RT_ROOMS_MAX", "250",
        "STUDIO_HUB_INSTANCES", "1"));
  }

  private List<String> rooms(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> "task:" + prefix + "-" + i).toList();
  }

  private JsonObject stats() throws Exception {
    return HttpClients.of(vertx).get(node.port(), "127.0.0.1", "/rt/stats").send()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsJsonObject();
  }

  private List<String> redisChannels(String prefix) throws Exception {
    Redis redis = Redis.createClient(vertx, TestInfrastructure.redisUrl());
    try {
      List<String> channels = new ArrayList<>();
      redis.send(Request.cmd(Command.PUBSUB).arg("CHANNELS").arg("studio:rt:{task:" + prefix + "-*"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
          .forEach(channel -> channels.add(channel.toString()));
      return channels;
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("50 clients close 0-4 ms after subscribing to 100 rooms: rooms, subscriptions and Redis channels all go to 0")
  void closeDuringSubscribeReleasesEveryRoom() throws Exception {
    for (int c = 0; c < 50; c++) {
      RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, "task:*"));
      client.subscribe(rooms(id + "c" + c, 100).toArray(String[]::new));
      long delay = ThreadLocalRandom.current().nextLong(5);
      if (delay == 0) {
        client.close();
      } else {
        vertx.setTimer(delay, t -> client.close());
      }
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonObject stats = stats();
      assertThat(stats.getLong("connections")).isZero();
      assertThat(stats.getLong("subscriptions")).isZero();
      assertThat(stats.getLong("rooms")).isZero();
      assertThat(redisChannels(id)).isEmpty();
    });
  }

  @Test
  @DisplayName("a client that sends frames and never reads is closed with 4001: replies count against its byte bound")
  void controlFramesAreBounded() throws Exception {
    RealtimeClient greedy = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, "task:*"));
    greedy.awaitReply(greedy.send(new JsonObject().put("op", "ping")));
    greedy.pause();
    // Each pong echoes its 32 KB id: 2,000 of them are 64 MB, more than any socket buffer holds.
    String bigId = "p".repeat(32 * 1024);
    for (int i = 0; i < 2_000; i++) {
      greedy.sendRaw(new JsonObject().put("op", "ping").put("id", bigId + i).encode());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> node.metric("studio_rt_slow_consumer_disconnects_total") == 1);
    greedy.resume();
    greedy.awaitClosed();
    assertThat(greedy.closeCode).isEqualTo((short) CloseCode.SLOW_CONSUMER.code());
    assertThat(greedy.frames.stream().filter(f -> "pong".equals(f.getString("op"))).count())
        .as("pongs the hub wrote before it gave up").isLessThan(2_000);
  }

  @Test
  @DisplayName("subscribing again to rooms already held acks their positions and keeps delivering, once")
  void repeatedSubscribe() throws Exception {
    String room = "task:" + id;
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, "task:*"));
    client.awaitReply(client.subscribe(room));
    node.publish(HubNode.draft(id, room));
    client.awaitEvents(room, 1);
    JsonObject again = client.awaitReply(client.subscribe(room));
    assertThat(again.getJsonObject("rooms").getJsonObject(room).getLong("offset")).isEqualTo(1);
    node.publish(HubNode.draft(id, room));
    client.awaitEvents(room, 2);
    assertThat(client.events(room)).extracting(e -> e.getLong("offset")).containsExactly(1L, 2L);
  }

  @Test
  @DisplayName("more rooms than STUDIO_RT_ROOMS_MAX on one connection: a clear error, the rooms held stay, none beyond")
  void roomsPerConnectionCapped() throws Exception {
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, "task:*"));
    for (int batch = 0; batch < 2; batch++) {
      client.awaitReply(client.subscribe(rooms(id + "b" + batch, 100).toArray(String[]::new)));
    }
    String over = client.subscribe(rooms(id + "b2", 100).toArray(String[]::new));
    JsonObject error = client.awaitFrame(frame -> over.equals(frame.getString("id")) && "error".equals(frame.getString("op")));
    assertThat(error.getString("code")).isEqualTo("limit_exceeded");
    assertThat(error.getString("message")).contains("250").contains("STUDIO_RT_ROOMS_MAX");
    assertThat(stats().getLong("subscriptions")).isEqualTo(200);
    // Re-subscribing to rooms already held is not "more rooms".
    JsonObject again = client.awaitReply(client.subscribe(rooms(id + "b0", 100).toArray(String[]::new)));
    assertThat(again.getString("op")).isEqualTo("ack");
    assertThat(client.isClosed()).isFalse();
  }

  @Test
  @DisplayName("malformed since in a subscribe: a bad_frame error naming the field, the connection stays usable")
  void malformedSinceInSubscribe() throws Exception {
    RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, "task:*"));
    String room = "task:" + id;
    for (Object offset : List.of(-5, 1e19, 1.5, "7")) {
      String request = client.send(new JsonObject().put("op", "subscribe").put("rooms", new JsonArray().add(room))
          .put("since", new JsonObject().put(room, new JsonObject().put("offset", offset).put("epoch", "e"))));
      JsonObject error = client.awaitReply(request);
      assertThat(error.getString("op")).as("offset %s", offset).isEqualTo("error");
      assertThat(error.getString("code")).isEqualTo("bad_frame");
      assertThat(error.getString("message")).startsWith("since." + room + ".offset");
    }
    assertThat(client.awaitReply(client.subscribe(room)).getString("op")).isEqualTo("ack");
  }
}

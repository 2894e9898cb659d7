package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.RealtimeClient;
import studio.testsupport.TestInfrastructure;

/**
 * A replica runs one hub instance per event loop on one port. Its instances share one Redis
 * subscription per room: Redis sends each event to a replica once, whichever instances hold
 * the room's clients, and every client still gets every event in order.
 */
@ExtendWith(VertxExtension.class)
class HubInstancesTest {
  private static final int INSTANCES = 2;
  private Vertx vertx;
  private HubNode node;
  private Redis redis;
  private final String room = "task:" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    this.vertx = vertx;
    node = HubNode.deploy(vertx, Map.of(), INSTANCES);
    redis = Redis.createClient(vertx, TestInfrastructure.redisUrl());
  }

  @AfterEach
  void close() {
    redis.close();
  }

  /** Clients connect round robin over the instances, so {@code count} of them cover every instance. */
  private List<RealtimeClient> subscribedClients(int count) throws Exception {
    List<RealtimeClient> clients = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, "task:*"));
      client.awaitReply(client.subscribe(room));
      clients.add(client);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(node.metricSeries("studio_rt_rooms")).as("rooms open on each instance").hasSize(INSTANCES)
            .allSatisfy(rooms -> assertThat(rooms).isEqualTo(1.0)));
    return clients;
  }

  /** How many Redis connections are subscribed to the room's channel. */
  private long redisSubscribers() throws Exception {
    String channel = "studio:rt:{" + room + "}:ch";
    return redis.send(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(channel))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).get(1).toLong();
  }

  private void publish(int count) throws Exception {
    node.publishAll(IntStream.range(0, count).mapToObj(i -> HubNode.draft(room.substring(5), room)).toList(), 16);
  }

  private static void assertReceivedInOrder(List<RealtimeClient> clients, String room, long from, long to) {
    List<Long> expected = LongStream.rangeClosed(from, to).boxed().toList();
    for (RealtimeClient client : clients) {
      client.awaitEvents(room, expected.size());
      assertThat(client.events(room)).extracting(event -> event.getLong("offset")).containsExactlyElementsOf(expected);
    }
  }

  @Test
  @DisplayName("clients of one room on both instances of a replica: one Redis subscription, every event to every client in order")
  void instancesShareOneSubscriptionPerRoom() throws Exception {
    List<RealtimeClient> clients = subscribedClients(2 * INSTANCES);

    assertThat(redisSubscribers()).isEqualTo(1);
    publish(50);
    assertReceivedInOrder(clients, room, 1, 50);
  }

  @Test
  @DisplayName("clients joining the room on both instances while events are being published: each gets every event after its subscribe position, none missed or twice")
  void joinWhilePublishing() throws Exception {
    int total = 1_000;
    publish(20);
    CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
      try {
        node.publishAll(IntStream.range(20, total).mapToObj(i -> HubNode.draft(room.substring(5), room)).toList(), 1);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Map<RealtimeClient, Long> positions = new LinkedHashMap<>();
    for (int i = 0; i < 2 * INSTANCES; i++) {
      RealtimeClient client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, "task:*"));
      JsonObject ack = client.awaitReply(client.subscribe(room));
      positions.put(client, ack.getJsonObject("rooms").getJsonObject(room).getLong("offset"));
    }
    publishing.get(60, TimeUnit.SECONDS);

    assertThat(positions.values()).as("the first client joined mid-stream").first().isNotIn(0L, (long) total);
    positions.forEach((client, position) -> assertReceivedInOrder(List.of(client), room, position + 1, total));
  }

  @Test
  @DisplayName("the room stays subscribed while any instance has a client in it, and is unsubscribed when the last one leaves")
  void lastClientOfTheReplicaUnsubscribes() throws Exception {
    List<RealtimeClient> clients = subscribedClients(2 * INSTANCES);
    RealtimeClient last = clients.remove(clients.size() - 1);
    for (RealtimeClient client : clients) {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(node.metric("studio_rt_rooms")).as("rooms over all instances").isEqualTo(1.0));

    assertThat(redisSubscribers()).isEqualTo(1);
    publish(10);
    assertReceivedInOrder(List.of(last), room, 1, 10);

    last.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(redisSubscribers()).isZero());
  }

  @Test
  @DisplayName("events published while the replica's shared link is down reach the clients of every instance, none lost or twice")
  void linkDropCatchesUpEveryInstance() throws Exception {
    List<RealtimeClient> clients = subscribedClients(2 * INSTANCES);
    publish(100);
    node.hub.dropBrokerLink();
    publish(100);

    assertReceivedInOrder(clients, room, 1, 200);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(redisSubscribers()).isEqualTo(1));
  }
}

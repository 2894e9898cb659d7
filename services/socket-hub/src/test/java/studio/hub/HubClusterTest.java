package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import studio.testsupport.TestInfrastructure;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.runtime.cluster.Clustering.ClusteredVertx;
import studio.testsupport.ClusteredNodes;
import studio.testsupport.HttpClients;
import studio.testsupport.RealtimeClient;

/**
 * Two hub replicas in one Hazelcast cluster sharing one real Redis: clients on either replica see
 * every event published through the other, in offset order, none lost and none twice, even when a
 * replica's Redis subscription link is cut mid-stream. Subclasses run it on other Redis topologies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HubClusterTest {
  private static final int ROOMS = 20;
  private List<ClusteredVertx> cluster;
  private HubNode nodeA;
  private HubNode nodeB;

  /** The REDIS_URL both replicas use; the embedded test Redis here. */
  String redisUrl() {
    return TestInfrastructure.redisUrl();
  }

  int events() {
    return 10_000;
  }

  @BeforeAll
  void startReplicas() throws Exception {
    cluster = ClusteredNodes.start(2).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    nodeA = HubNode.deploy(cluster.get(0).vertx(), Map.of("REDIS_URL", redisUrl()));
    nodeB = HubNode.deploy(cluster.get(1).vertx(), Map.of("REDIS_URL", redisUrl()));
  }

  @AfterAll
  void stopReplicas() throws Exception {
    ClusteredNodes.stop(cluster).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
  }

  private RealtimeClient subscribed(HubNode node, String uri, List<String> rooms) throws Exception {
    RealtimeClient client = RealtimeClient.open(node.vertx, node.port(), uri);
    client.awaitReply(client.send(new JsonObject().put("op", "auth").put("token", Tokens.grant(node.vertx, "task:*"))));
    client.awaitReply(client.subscribe(rooms.toArray(String[]::new)));
    return client;
  }

  /** Publishes over HTTP to the given replica, {@code window} requests in flight at a time. */
  private static void publishThrough(HubNode node, List<JsonObject> drafts, int window) throws Exception {
    WebClient http = HttpClients.of(node.vertx);
    for (int from = 0; from < drafts.size(); from += window) {
      List<Future<Integer>> batch = new ArrayList<>();
      for (JsonObject draft : drafts.subList(from, Math.min(drafts.size(), from + window))) {
        batch.add(http.post(node.port(), "127.0.0.1", "/api/v1/events")
            .putHeader("Authorization", "Bearer " + HubNode.WORKER_SECRET)
            .sendJsonObject(draft).map(response -> response.statusCode()));
      }
      List<Integer> statuses = Future.all(batch).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS).list();
      assertThat(statuses).containsOnly(202);
    }
  }

  @Test
  @DisplayName("10,000 events (fewer on other topologies) across 20 rooms reach a WebSocket client on B and a SockJS client on A, gap-free and in order")
  void fanOutAcrossReplicas() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> rooms = IntStream.range(0, ROOMS).mapToObj(i -> "task:" + run + "-" + i).toList();
    RealtimeClient onB = subscribed(nodeB, "/rt/ws", rooms);
    RealtimeClient onA = subscribed(nodeA, "/rt/sockjs/websocket", rooms);

    List<JsonObject> viaA = new ArrayList<>();
    List<JsonObject> viaB = new ArrayList<>();
    for (int i = 0; i < events(); i++) {
      String room = rooms.get(i % ROOMS);
      (i % 2 == 0 ? viaA : viaB).add(HubNode.draft(room.substring("task:".length()), room));
    }
    publishThrough(nodeA, viaA.subList(0, viaA.size() / 2), 64);
    nodeA.hub.dropBrokerLink();
    publishThrough(nodeB, viaB, 64);
    publishThrough(nodeA, viaA.subList(viaA.size() / 2, viaA.size()), 64);

    int perRoom = events() / ROOMS;
    List<Long> expected = IntStream.rangeClosed(1, perRoom).mapToObj(i -> (long) i).toList();
    for (String room : rooms) {
      onB.awaitEvents(room, perRoom);
      onA.awaitEvents(room, perRoom);
      assertThat(onB.events(room)).extracting(e -> e.getLong("offset")).as("websocket on B, " + room)
          .containsExactlyElementsOf(expected);
      assertThat(onA.events(room)).extracting(e -> e.getLong("offset")).as("sockjs on A, " + room)
          .containsExactlyElementsOf(expected);
      assertThat(onA.events(room)).extracting(e -> e.getJsonObject("event").getString("event_id"))
          .containsExactlyElementsOf(onB.events(room).stream()
              .map(e -> e.getJsonObject("event").getString("event_id")).toList());
    }
  }

  @Test
  @DisplayName("a client that leaves replica A and resumes on replica B receives exactly the missed events")
  void resumeOnOtherReplica() throws Exception {
    String room = "task:" + UUID.randomUUID().toString().substring(0, 8);
    RealtimeClient onA = subscribed(nodeA, "/rt/ws", List.of(room));
    nodeA.publish(HubNode.draft(room.substring(5), room));
    onA.awaitEvents(room, 1);
    JsonObject last = onA.events(room).get(0);
    onA.close();
    for (int i = 0; i < 500; i++) {
      nodeB.publish(HubNode.draft(room.substring(5), room));
    }
    RealtimeClient onB = RealtimeClient.open(nodeB.vertx, nodeB.port(), "/rt/ws?token=" + Tokens.grant(nodeB.vertx, room));
    JsonObject ack = onB.awaitReply(onB.subscribe(new JsonObject().put(room, new JsonObject()
        .put("offset", last.getLong("offset")).put("epoch", last.getString("epoch"))), room));
    assertThat(ack.getJsonObject("rooms").getJsonObject(room).getBoolean("recovered")).isTrue();
    onB.awaitEvents(room, 500);
    assertThat(onB.events(room)).extracting(e -> e.getLong("offset"))
        .containsExactlyElementsOf(IntStream.rangeClosed(2, 501).mapToObj(i -> (long) i).toList());
  }
}

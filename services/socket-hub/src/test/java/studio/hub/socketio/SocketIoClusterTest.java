package studio.hub.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.runtime.cluster.Clustering.ClusteredVertx;
import studio.testsupport.ClusteredNodes;

/**
 * Socket.IO long-polling across two hub replicas with no affinity: each request of one session goes to
 * the other replica than the last, as a round-robin proxy would send it, and the replica that does not
 * own the session forwards it over the clustered event bus.
 */
class SocketIoClusterTest {
  private static List<ClusteredVertx> cluster;
  private static HubNode nodeA;
  private static HubNode nodeB;

  @BeforeAll
  static void startReplicas() throws Exception {
    cluster = ClusteredNodes.start(2).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    nodeA = HubNode.deploy(cluster.get(0).vertx(), Map.of());
    nodeB = HubNode.deploy(cluster.get(1).vertx(), Map.of());
  }

  @AfterAll
  static void stopReplicas() throws Exception {
    ClusteredNodes.stop(cluster).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
  }

  @Test
  @DisplayName("polling round-robin over two replicas: every event once, in order, whichever replica each request hits")
  void roundRobinPolling() throws Exception {
    String room = "task:rr-" + UUID.randomUUID();
    int[] ports = {nodeA.port(), nodeB.port()};
    int[] turn = {0};
    EngineIoClient client = new EngineIoClient(nodeA.vertx).open(ports[turn[0]++ % 2], "");
    client.post(ports[turn[0]++ % 2], "40/rt,{\"token\":\"" + Tokens.grant(nodeA.vertx, "task:*") + "\"}",
        "42/rt,1[\"rt.subscribe\",{\"rooms\":[\"" + room + "\"]}]");
    List<String> packets = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      packets.addAll(client.poll(ports[turn[0]++ % 2]));
      return packets.stream().anyMatch(packet -> packet.startsWith("43/rt,1"));
    });
    int events = 60;
    List<JsonObject> drafts = IntStream.range(0, events).mapToObj(i -> HubNode.draft("rr", room)).toList();
    nodeB.publishAll(drafts, 10);
    List<Long> offsets = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      client.poll(ports[turn[0]++ % 2]).stream().filter(packet -> packet.startsWith("42/rt,[\"rt.event\""))
          .map(packet -> new JsonArray(packet.substring("42/rt,".length())).getJsonObject(1).getLong("offset"))
          .forEach(offsets::add);
      return offsets.size() >= events;
    });
    assertThat(offsets).isEqualTo(LongStream.rangeClosed(1, events).boxed().toList());
  }

  @Test
  @DisplayName("a poll for a session whose replica is gone is 'Session ID unknown'; a new session resumes with since")
  void ownerGone() throws Exception {
    String room = "task:gone-" + UUID.randomUUID();
    HubNode doomed = HubNode.deploy(cluster.get(0).vertx(), Map.of());
    EngineIoClient client = new EngineIoClient(nodeB.vertx).open(doomed.port(), "");
    String token = Tokens.grant(nodeB.vertx, "task:*");
    client.post(nodeB.port(), "40/rt,{\"token\":\"" + token + "\"}", "42/rt,1[\"rt.subscribe\",{\"rooms\":[\"" + room + "\"]}]");
    List<String> packets = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      packets.addAll(client.poll(nodeB.port()));
      return packets.stream().anyMatch(packet -> packet.startsWith("43/rt,1"));
    });
    nodeA.publish(HubNode.draft("gone", room));
    JsonObject first = awaitGeneric(client, nodeB.port());
    doomed.undeploy();
    nodeA.publish(HubNode.draft("gone", room));
    nodeA.publish(HubNode.draft("gone", room));
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try {
        client.poll(nodeB.port());
        return false;
      } catch (IllegalStateException unknown) {
        return unknown.getMessage().contains("Session ID unknown");
      }
    });

    EngineIoClient resumed = new EngineIoClient(nodeB.vertx).open(nodeA.port(), "");
    JsonObject since = new JsonObject().put(room, new JsonObject().put("offset", first.getLong("offset"))
        .put("epoch", first.getString("epoch")));
    resumed.post(nodeB.port(), "40/rt,{\"token\":\"" + token + "\"}",
        "42/rt,2[\"rt.subscribe\",{\"rooms\":[\"" + room + "\"],\"since\":" + since.encode() + "}]");
    List<String> seen = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      seen.addAll(resumed.poll(nodeB.port()));
      return seen.stream().filter(packet -> packet.startsWith("42/rt,[\"rt.event\"")).count() >= 2;
    });
    String ack = seen.stream().filter(packet -> packet.startsWith("43/rt,2")).findFirst().orElseThrow();
    assertThat(new JsonArray(ack.substring("43/rt,2".length())).getJsonObject(0).getJsonObject("rooms")
        .getJsonObject(room).getBoolean("recovered")).isTrue();
    assertThat(seen.stream().filter(packet -> packet.startsWith("42/rt,[\"rt.event\""))
        .map(packet -> new JsonArray(packet.substring("42/rt,".length())).getJsonObject(1).getLong("offset")).toList())
        .containsExactly(2L, 3L);
  }

  private static JsonObject awaitGeneric(EngineIoClient client, int port) {
    List<JsonObject> generic = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      client.poll(port).stream().filter(packet -> packet.startsWith("42/rt,[\"rt.event\""))
          .map(packet -> new JsonArray(packet.substring("42/rt,".length())).getJsonObject(1)).forEach(generic::add);
      return !generic.isEmpty();
    });
    return generic.get(0);
  }
}

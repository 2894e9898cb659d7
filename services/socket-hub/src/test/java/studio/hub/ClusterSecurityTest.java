package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.bus.Addresses;
import studio.hub.support.HubNode;
import studio.runtime.cluster.ClusterCertificate;
import studio.runtime.cluster.ClusterKeys;
import studio.runtime.cluster.Clustering.ClusteredVertx;
import studio.testsupport.ClusteredNodes;

/**
 * A process that reaches the cluster's Hazelcast and event-bus ports without the cluster secret
 * (same cluster name, same member list, another secret) puts nothing on the bus and takes nothing
 * off it; nor does one that learned the cluster name, which Hazelcast sends in clear text.
 */
class ClusterSecurityTest {
  private static final String NAME = ClusteredNodes.freshName();
  private static final ClusterKeys KEYS = ClusterKeys.derive(NAME, ClusteredNodes.randomSecret());
  /** Long enough for a TLS handshake on a busy machine, short enough to keep the refusals quick. */
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(3_000);
  private static List<ClusteredVertx> members;
  private static HubNode hub;
  private ClusteredVertx outsider;

  @BeforeAll
  static void startCluster() throws Exception {
    members = await(ClusteredNodes.start(2, KEYS));
    hub = HubNode.deploy(members.get(0).vertx(), Map.of());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    ClusteredNodes.stop(members).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
  }

  @AfterEach
  void stopOutsider() throws Exception {
    if (outsider != null) {
      ClusteredNodes.stop(List.of(outsider)).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
      // One that joined Hazelcast (nameWithoutSecret) leaves the members' view a moment after it stops;
      // the next test counts members, so it starts once that view is back to the two.
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> members.stream().allMatch(member -> member.clusterManager().getNodes().size() == 2));
    }
  }

  @Test
  @DisplayName("another secret: refused at join, it sees no member and no member sees it")
  void otherSecretCannotJoin() throws Exception {
    outsider = await(ClusteredNodes.startBeside(members, ClusterKeys.derive(NAME, ClusteredNodes.randomSecret())));

    assertThat(outsider.clusterManager().getNodes()).containsExactly(outsider.clusterManager().getNodeId());
    assertThat(members.get(0).clusterManager().getNodes()).hasSize(2).doesNotContain(outsider.clusterManager().getNodeId());
  }

  @Test
  @DisplayName("another secret: its publish on studio.rt.publish fails and never reaches the hub")
  void otherSecretCannotPublish() throws Exception {
    outsider = await(ClusteredNodes.startBeside(members, ClusterKeys.derive(NAME, ClusteredNodes.randomSecret())));

    assertPublishRefused(outsider);
  }

  @Test
  @DisplayName("another secret: it receives none of the members' studio.rt.publish requests")
  void otherSecretReceivesNothing() throws Exception {
    outsider = await(ClusteredNodes.startBeside(members, ClusterKeys.derive(NAME, ClusteredNodes.randomSecret())));

    assertTakesNothing(outsider);
  }

  @Test
  @DisplayName("the cluster name without the secret: it may join Hazelcast, but TLS keeps it off the bus both ways")
  void nameWithoutSecret() throws Exception {
    ClusterKeys stolenName = new ClusterKeys(KEYS.clusterName(), ClusterCertificate.derive(ClusteredNodes.randomSecret()));
    outsider = await(ClusteredNodes.startBeside(members, stolenName));
    assertThat(members.get(0).clusterManager().getNodes()).as("joined Hazelcast (the premise)").hasSize(3);

    assertPublishRefused(outsider);
    assertTakesNothing(outsider);
  }

  @Test
  @DisplayName("the members, which share the secret, exchange studio.rt.publish requests over TLS")
  void membersStillTalk() throws Exception {
    JsonObject envelope = await(members.get(1).vertx().eventBus()
        .<JsonObject>request(Addresses.PUBLISH, HubNode.draft(UUID.randomUUID().toString(), "task:member"), QUICK))
        .body();
    assertThat(envelope.getLong("sequence")).isEqualTo(1);
  }

  /** The outsider's request fails, and the hub never numbered it: the next real event is the stream's first. */
  private static void assertPublishRefused(ClusteredVertx outsider) throws Exception {
    String entity = UUID.randomUUID().toString();
    Throwable failure = outsider.vertx().eventBus().request(Addresses.PUBLISH, HubNode.draft(entity, "task:" + entity), QUICK)
        .map(reply -> (Throwable) null).otherwise(error -> error)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(failure).as("the outsider's publish fails").isNotNull();

    JsonObject first = hub.publish(HubNode.draft(entity, "task:" + entity));
    assertThat(first.getLong("sequence")).as("the hub never saw the outsider's event").isEqualTo(1);
  }

  /** A consumer on the outsider gets none of 20 requests a member sends; the hub answers them. */
  private static void assertTakesNothing(ClusteredVertx outsider) throws Exception {
    AtomicInteger stolen = new AtomicInteger();
    await(outsider.vertx().eventBus().<JsonObject>consumer(Addresses.PUBLISH, message -> {
      stolen.incrementAndGet();
      message.reply(new JsonObject().put("sequence", -1));
    }).completion());

    List<Future<Long>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String entity = UUID.randomUUID().toString();
      answers.add(members.get(1).vertx().eventBus()
          .<JsonObject>request(Addresses.PUBLISH, HubNode.draft(entity, "task:" + entity), QUICK)
          .map(reply -> reply.body().getLong("sequence")).otherwise(-2L));
    }
    List<Long> sequences = await(Future.all(answers)).list();

    assertThat(stolen).as("requests that reached the outsider").hasValue(0);
    assertThat(sequences).as("every answer came from the hub").doesNotContain(-1L).contains(1L);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
  }
}

package studio.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.cluster.Clustering.ClusteredVertx;

@ExtendWith(VertxExtension.class)
class ClusteredNodesTest {
  private static List<ClusteredVertx> nodes;

  @BeforeAll
  static void startCluster() throws Exception {
    nodes = ClusteredNodes.start(2).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    ClusteredNodes.stop(nodes).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
  }

  @Test
  @DisplayName("both nodes see a cluster of two members")
  void membership() {
    assertThat(nodes.get(0).clusterManager().getNodes()).hasSize(2);
    assertThat(nodes.get(1).clusterManager().getNodes()).hasSize(2);
  }

  @Test
  @DisplayName("a request sent on one node is answered by a consumer on the other")
  void requestAcrossNodes(VertxTestContext test) {
    String address = "test.echo." + System.nanoTime();
    nodes.get(1).vertx().eventBus().<String>consumer(address, message -> message.reply("pong:" + message.body()))
        .completion()
        .compose(registered -> nodes.get(0).vertx().eventBus().<String>request(address, "ping"))
        .onComplete(test.succeeding(reply -> test.verify(() -> {
          assertThat(reply.body()).isEqualTo("pong:ping");
          test.completeNow();
        })));
  }
}

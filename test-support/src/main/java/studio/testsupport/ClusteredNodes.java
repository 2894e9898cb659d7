package studio.testsupport;

import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import studio.runtime.cluster.ClusterConfig;
import studio.runtime.cluster.Clustering;
import studio.runtime.cluster.Clustering.ClusteredVertx;

/**
 * Several Hazelcast-clustered Vert.x nodes in one JVM on loopback, each with its own member port,
 * joined by the same TCP/IP member list the launcher uses. A fresh cluster name per call keeps
 * concurrent test classes (and a running dev stack) out of each other's cluster.
 */
public final class ClusteredNodes {
  private ClusteredNodes() {
  }

  public static Future<List<ClusteredVertx>> start(int count) {
    String name = "studio-test-" + UUID.randomUUID();
    List<Integer> ports = IntStream.range(0, count).mapToObj(i -> freePort()).toList();
    List<String> members = ports.stream().map(port -> "127.0.0.1:" + port).toList();
    Future<List<ClusteredVertx>> chain = Future.succeededFuture(new ArrayList<>());
    for (int port : ports) {
      ClusterConfig config = new ClusterConfig(true, name, "127.0.0.1", port, members, 0, ClusterConfig.Discovery.TCP, null);
      // One after another: the second node's join finds the first already listening.
      chain = chain.compose(started -> Clustering.start(config, new VertxOptions()).map(node -> {
        started.add(node);
        return started;
      }));
    }
    return chain;
  }

  public static Future<Void> stop(List<ClusteredVertx> nodes) {
    return Future.join(nodes.stream().map(node -> node.vertx().close()).toList()).mapEmpty();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

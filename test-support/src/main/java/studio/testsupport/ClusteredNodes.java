package studio.testsupport;

import com.hazelcast.cluster.Address;
import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import studio.runtime.cluster.ClusterConfig;
import studio.runtime.cluster.ClusterKeys;
import studio.runtime.cluster.Clustering;
import studio.runtime.cluster.Clustering.ClusteredVertx;

/**
 * Several Hazelcast-clustered Vert.x nodes in one JVM on loopback, each with its own member port,
 * joined by the same TCP/IP member list the launcher uses, their event bus over the same TLS. A fresh
 * cluster name and secret per call keeps concurrent test classes (and a running dev stack) out of
 * each other's cluster.
 */
public final class ClusteredNodes {
  private ClusteredNodes() {
  }

  /** {@code count} nodes sharing a fresh cluster name and secret. */
  public static Future<List<ClusteredVertx>> start(int count) {
    return start(count, ClusterKeys.derive(freshName(), randomSecret()));
  }

  public static Future<List<ClusteredVertx>> start(int count, ClusterKeys keys) {
    List<Integer> ports = IntStream.range(0, count).mapToObj(i -> freePort()).toList();
    List<String> members = ports.stream().map(port -> "127.0.0.1:" + port).toList();
    Future<List<ClusteredVertx>> chain = Future.succeededFuture(new ArrayList<>());
    for (int port : ports) {
      // One after another: the second node's join finds the first already listening.
      chain = chain.compose(started -> startNode(port, members, keys).map(node -> {
        started.add(node);
        return started;
      }));
    }
    return chain;
  }

  /**
   * One more node that dials {@code cluster}'s members with its own keys, as any process that can
   * reach their ports could.
   */
  public static Future<ClusteredVertx> startBeside(List<ClusteredVertx> cluster, ClusterKeys keys) {
    List<String> members = cluster.stream().map(node -> {
      Address address = node.clusterManager().getHazelcastInstance().getCluster().getLocalMember().getAddress();
      return address.getHost() + ":" + address.getPort();
    }).toList();
    return startNode(freePort(), members, keys);
  }

  public static Future<Void> stop(List<ClusteredVertx> nodes) {
    return Future.join(nodes.stream().map(node -> node.vertx().close()).toList()).mapEmpty();
  }

  /** A cluster name prefix no other test (or dev stack) uses. */
  public static String freshName() {
    return "studio-test-" + UUID.randomUUID();
  }

  public static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static Future<ClusteredVertx> startNode(int port, List<String> members, ClusterKeys keys) {
    ClusterConfig config = new ClusterConfig(true, keys.clusterName(), "127.0.0.1", port, members, 0,
        ClusterConfig.Discovery.TCP, null);
    return Clustering.start(config, keys, new VertxOptions());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package studio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.runtime.cluster.Clustering.ClusteredVertx;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

class ClusteringTest {
  private static final ClusterKeys KEYS = ClusterKeys.derive("studio", "cluster-secret-0123456789abcdef0123456789");

  private static JoinConfig join(Map<String, String> settings) {
    Config config = Clustering.hazelcastConfig(ClusterConfig.from(Settings.of(settings), true), KEYS);
    return config.getNetworkConfig().getJoin();
  }

  @Test
  @DisplayName("tcp (the default): the member list, multicast and auto-detection off")
  void tcpMembers() {
    JoinConfig join = join(Map.of("STUDIO_CLUSTER_MEMBERS", "hub-1:5701,web-1:5702"));
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("hub-1:5701", "web-1:5702");
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("kubernetes: DNS lookup of the headless Service on the cluster port, no member list")
  void kubernetesDns() {
    JoinConfig join = join(Map.of("STUDIO_CLUSTER_DISCOVERY", "kubernetes",
        "STUDIO_CLUSTER_SERVICE_DNS", "studio-members.studio.svc.cluster.local", "STUDIO_CLUSTER_PORT", "5710"));
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("studio-members.studio.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5710");
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("kubernetes discovery without a service name fails at startup naming the knob")
  void kubernetesNeedsService() {
    assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("STUDIO_CLUSTER_DISCOVERY", "kubernetes")), true))
        .isInstanceOf(ConfigException.class).hasMessageContaining("STUDIO_CLUSTER_SERVICE_DNS");
  }

  @Test
  @DisplayName("Hazelcast and the event bus listen on STUDIO_CLUSTER_HOST only, not on every interface")
  void bindsOnlyTheNamedAddress() throws Exception {
    String port = String.valueOf(freePort());
    ClusterConfig config = ClusterConfig.from(Settings.of(Map.of(
        "STUDIO_CLUSTER_HOST", "127.0.0.1", "STUDIO_CLUSTER_PORT", port, "STUDIO_CLUSTER_MEMBERS", "127.0.0.1:" + port)), true);
    ClusterKeys keys = ClusterKeys.derive("bind-" + UUID.randomUUID(), "cluster-secret-0123456789abcdef0123456789");
    ClusteredVertx node = Clustering.start(config, keys, new VertxOptions())
        .toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    try {
      int hazelcastPort = node.clusterManager().getHazelcastInstance().getCluster().getLocalMember().getAddress().getPort();
      int eventBusPort = node.clusterManager().getNodeInfo().port();
      for (int listening : List.of(hazelcastPort, eventBusPort)) {
        assertThat(connects("127.0.0.1", listening)).as("port " + listening + " on 127.0.0.1").isTrue();
        // Linux routes all of 127.0.0.0/8 to lo: a socket bound to every interface answers here too.
        assertThat(connects("127.0.0.2", listening)).as("port " + listening + " on 127.0.0.2").isFalse();
      }
    } finally {
      node.vertx().close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
  }

  private static boolean connects(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2_000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package studio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
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
}

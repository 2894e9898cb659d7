package studio.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClusterSecretTest {
  private static final String WORKER = "worker-0123456789abcdef0123456789abcdef";
  private static final String JWT = "jwt-0123456789abcdef0123456789abcdef";

  @Test
  @DisplayName("STUDIO_CLUSTER_SECRET unset: the cluster is admitted by the worker secret")
  void defaultsToWorkerSecret() {
    Secrets secrets = Secrets.from(Settings.of(Map.of("JWT_SECRET_KEY", JWT, "WORKER_SHARED_SECRET", WORKER)),
        StudioEnvironment.DEVELOPMENT, true);
    assertThat(secrets.clusterSecret()).isEqualTo(WORKER);
  }

  @Test
  @DisplayName("STUDIO_CLUSTER_SECRET set: it admits the cluster, apart from the worker secret")
  void ownSecret() {
    String cluster = "cluster-0123456789abcdef0123456789abcdef";
    Secrets secrets = Secrets.from(Settings.of(Map.of("JWT_SECRET_KEY", JWT, "WORKER_SHARED_SECRET", WORKER,
        "STUDIO_CLUSTER_SECRET", cluster)), StudioEnvironment.DEVELOPMENT, true);
    assertThat(secrets.clusterSecret()).isEqualTo(cluster);
    assertThat(secrets.workerSharedSecret()).isEqualTo(WORKER);
  }

  @Test
  @DisplayName("a short STUDIO_CLUSTER_SECRET is refused without echoing it")
  void shortSecret() {
    assertThatThrownBy(() -> Secrets.from(Settings.of(Map.of("JWT_SECRET_KEY", JWT, "WORKER_SHARED_SECRET", WORKER,
        "STUDIO_CLUSTER_SECRET", "hunter2")), StudioEnvironment.DEVELOPMENT, true))
        .hasMessageContaining("STUDIO_CLUSTER_SECRET")
        .hasMessageNotContaining("hunter2");
  }
}

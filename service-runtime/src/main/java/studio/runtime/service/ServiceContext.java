package studio.runtime.service;

import io.vertx.core.spi.cluster.ClusterManager;
import java.util.Optional;
import studio.runtime.config.CommonConfig;

/** What the launcher hands every service verticle: shared knobs and, when clustered, the cluster manager. */
public record ServiceContext(CommonConfig config, ClusterManager clusterManager) {
  public Optional<ClusterManager> cluster() {
    return Optional.ofNullable(clusterManager);
  }
}

package studio.runtime.service;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.Optional;
import studio.runtime.config.CommonConfig;

/**
 * What the launcher hands every service verticle: shared knobs, the process's metrics registry
 * (scraped at each service's {@code /metrics}) and, when clustered, the cluster manager.
 */
public record ServiceContext(CommonConfig config, ClusterManager clusterManager, PrometheusMeterRegistry metrics) {

  public ServiceContext(CommonConfig config, ClusterManager clusterManager) {
    this(config, clusterManager, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public Optional<ClusterManager> cluster() {
    return Optional.ofNullable(clusterManager);
  }
}

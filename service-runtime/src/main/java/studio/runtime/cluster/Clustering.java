package studio.runtime.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import studio.runtime.config.ConfigException;

/**
 * Builds a Vert.x instance whose event bus joins the others over Hazelcast (TCP/IP or Kubernetes DNS
 * discovery), admitted by the cluster secret ({@link ClusterKeys}): the Hazelcast cluster name and the
 * event bus's mutual TLS are derived from it.
 */
public final class Clustering {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private Clustering() {
  }

  /** A clustered Vert.x plus its cluster manager (kept for membership health checks). */
  public record ClusteredVertx(Vertx vertx, HazelcastClusterManager clusterManager) {
  }

  public static Future<ClusteredVertx> start(ClusterConfig config, ClusterKeys keys, VertxOptions options) {
    return start(config, keys, options, Vertx.builder());
  }

  /** {@code builder} may carry more (the process's metrics factory); the options and cluster manager are set here. */
  public static Future<ClusteredVertx> start(ClusterConfig config, ClusterKeys keys, VertxOptions options,
                                             VertxBuilder builder) {
    HazelcastClusterManager manager;
    try {
      manager = new HazelcastClusterManager(hazelcastConfig(config, keys));
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    options.setEventBusOptions(keys.eventBusOptions().setHost(config.host()).setPort(config.eventBusPort()));
    return builder.with(options).withClusterManager(manager).buildClustered()
        .map(vertx -> new ClusteredVertx(vertx, manager));
  }

  static Config hazelcastConfig(ClusterConfig cluster, ClusterKeys keys) {
    // Start from Vert.x's default so the maps and multimaps the event bus needs are declared.
    Config config = ConfigUtil.loadConfig();
    // A member whose name differs is refused at join; the name carries a hash of the cluster secret.
    config.setClusterName(keys.clusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // Vert.x leaves the cluster on close; Hazelcast's own hook would race it.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.getNetworkConfig().setPort(cluster.port()).setPortAutoIncrement(true).setPortCount(20);
    // Listen on the operator's address only; Hazelcast's default is every interface.
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.local.localAddress", bindAddress(cluster.host()));
    if (!IPV4.matcher(cluster.host()).matches()) {
      config.getNetworkConfig().setPublicAddress(cluster.host() + ":" + cluster.port());
    }
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.discovery() == ClusterConfig.Discovery.KUBERNETES) {
      // DNS lookup mode: no Kubernetes API access (RBAC) needed, only the headless Service.
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", cluster.serviceDns())
          .setProperty("service-port", String.valueOf(cluster.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return config;
  }

  /** The IPv4 address to listen on: the host itself, or what its name resolves to (once, at start). */
  private static String bindAddress(String host) {
    if (IPV4.matcher(host).matches()) {
      return host;
    }
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw ConfigException.invalid(ClusterConfig.HOST, host, "an IPv4 address or a name this host resolves");
    }
  }
}

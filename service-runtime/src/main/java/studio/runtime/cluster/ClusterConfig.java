package studio.runtime.cluster;

import java.util.List;
import java.util.regex.Pattern;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

/**
 * Hazelcast membership for a clustered event bus, multicast always off. {@code tcp} (default): a
 * member list, which works on loopback, in compose networks and with DNS names. {@code kubernetes}:
 * every address of a headless Service's DNS name is a member, so pods that start together find
 * each other without a fixed list.
 */
public record ClusterConfig(boolean enabled, String name, String host, int port, List<String> members,
                            int eventBusPort, Discovery discovery, String serviceDns) {
  public static final String ENABLED = "STUDIO_CLUSTER";
  public static final String NAME = "STUDIO_CLUSTER_NAME";
  public static final String HOST = "STUDIO_CLUSTER_HOST";
  public static final String PORT = "STUDIO_CLUSTER_PORT";
  public static final String MEMBERS = "STUDIO_CLUSTER_MEMBERS";
  public static final String EVENT_BUS_PORT = "STUDIO_EVENTBUS_PORT";
  public static final String DISCOVERY = "STUDIO_CLUSTER_DISCOVERY";
  public static final String SERVICE_DNS = "STUDIO_CLUSTER_SERVICE_DNS";

  public enum Discovery { TCP, KUBERNETES }
  private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9._-]+(:\\d{1,5})?");

  public ClusterConfig {
    members = List.copyOf(members);
  }

  public static ClusterConfig from(Settings settings, boolean clusterFlag) {
    String host = settings.string(HOST, "127.0.0.1");
    int port = settings.port(PORT, 5701);
    List<String> members = settings.list(MEMBERS);
    for (String member : members) {
      if (!MEMBER.matcher(member).matches()) {
        throw new ConfigException("invalid config " + MEMBERS + "=\"" + String.join(",", members)
            + "\": expected host[:port],host[:port],... (bad entry \"" + member + "\")");
      }
    }
    Discovery discovery = settings.oneOf(DISCOVERY, Discovery.TCP, Discovery.class);
    String serviceDns = settings.optional(SERVICE_DNS).orElse(null);
    if (discovery == Discovery.KUBERNETES && (serviceDns == null || !MEMBER.matcher(serviceDns).matches())) {
      throw new ConfigException("invalid config: " + DISCOVERY + "=kubernetes needs " + SERVICE_DNS
          + ", the fully qualified name of a headless Service selecting every Studio pod "
          + "(e.g. studio-members.studio.svc.cluster.local)");
    }
    return new ClusterConfig(clusterFlag || settings.bool(ENABLED, false),
        settings.string(NAME, "studio"), host, port,
        members.isEmpty() ? List.of(host + ":" + port) : members,
        settings.port(EVENT_BUS_PORT, 0), discovery, serviceDns);
  }
}

package studio.runtime.egress;

import java.util.List;
import java.util.regex.Pattern;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

/**
 * What an operator opens beyond the public internet for user-supplied URLs. Both lists are empty by
 * default, so loopback, private, link-local (cloud metadata) and the other special blocks are refused.
 */
public record EgressConfig(List<IpRange> allowedNetworks, HostPatterns allowedHosts) {
  public static final String ALLOWED_NETWORKS = "STUDIO_EGRESS_ALLOWED_NETWORKS";
  public static final String ALLOWED_HOSTS = "STUDIO_EGRESS_ALLOWED_HOSTS";
  /** Nothing opened: only public addresses. */
  public static final EgressConfig PUBLIC_ONLY = new EgressConfig(List.of(), new HostPatterns(List.of()));
  private static final Pattern HOST = Pattern.compile("(\\*\\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\\.?");

  public EgressConfig {
    allowedNetworks = List.copyOf(allowedNetworks);
  }

  public static EgressConfig from(Settings settings) {
    List<IpRange> networks = settings.list(ALLOWED_NETWORKS).stream().map(entry -> {
      try {
        return IpRange.parse(entry);
      } catch (IllegalArgumentException bad) {
        throw ConfigException.invalid(ALLOWED_NETWORKS, settings.string(ALLOWED_NETWORKS, ""),
            "comma-separated CIDR blocks such as 127.0.0.0/8,10.1.0.0/16,fd00::/8 (" + bad.getMessage() + ")");
      }
    }).toList();
    List<String> hosts = settings.list(ALLOWED_HOSTS);
    hosts.stream().filter(host -> !HOST.matcher(host).matches()).findFirst().ifPresent(bad -> {
      throw ConfigException.invalid(ALLOWED_HOSTS, settings.string(ALLOWED_HOSTS, ""),
          "comma-separated host names such as models.internal,*.corp.example (\"" + bad + "\" is not one)");
    });
    return new EgressConfig(networks, new HostPatterns(hosts));
  }
}

package studio.web.proxy;

import java.util.List;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

/**
 * How many reverse-proxy hops to believe for each forwarded header, like Werkzeug's ProxyFix, and
 * which peers are proxies at all. Off by default (a directly exposed server must not let clients
 * choose their own address or scheme); the compose and Kubernetes manifests turn it on with one hop.
 * With {@code N} hops, the N-th value from the right of a header is used (the one the outermost
 * trusted proxy saw); values further left were sent by the client or untrusted hops and are ignored.
 * 0 ignores that header. Whatever the hop counts, a request whose TCP peer is outside
 * {@code STUDIO_PROXY_TRUSTED_NETWORKS} (default loopback) is taken as it arrived.
 */
public record ProxyTrust(boolean enabled, int forHops, int protoHops, int hostHops, int portHops, int prefixHops,
                         int forwardedHops, TrustedNetworks networks) {
  public static final String ENABLED = "STUDIO_PROXY_FIX_ENABLED";
  public static final String X_FOR = "STUDIO_PROXY_FIX_X_FOR";
  public static final String X_PROTO = "STUDIO_PROXY_FIX_X_PROTO";
  public static final String X_HOST = "STUDIO_PROXY_FIX_X_HOST";
  public static final String X_PORT = "STUDIO_PROXY_FIX_X_PORT";
  public static final String X_PREFIX = "STUDIO_PROXY_FIX_X_PREFIX";
  /** RFC 7239 {@code Forwarded}; when trusted it takes precedence over the X-Forwarded-* headers it covers. */
  public static final String FORWARDED = "STUDIO_PROXY_FIX_FORWARDED";
  /** CIDR blocks the proxies connect from; only such peers' forwarded and identity headers are believed. */
  public static final String TRUSTED_NETWORKS = "STUDIO_PROXY_TRUSTED_NETWORKS";
  public static final ProxyTrust NONE = new ProxyTrust(false, 0, 0, 0, 0, 0, 0, TrustedNetworks.LOOPBACK);

  public static ProxyTrust from(Settings settings) {
    boolean enabled = settings.bool(ENABLED, false);
    ProxyTrust trust = new ProxyTrust(enabled,
        settings.intAtLeast(X_FOR, 1, 0),
        settings.intAtLeast(X_PROTO, 1, 0),
        settings.intAtLeast(X_HOST, 1, 0),
        settings.intAtLeast(X_PORT, 1, 0),
        settings.intAtLeast(X_PREFIX, 1, 0),
        settings.intAtLeast(FORWARDED, 0, 0),
        networks(settings));
    if (enabled && trust.forHops + trust.protoHops + trust.hostHops + trust.portHops + trust.prefixHops
        + trust.forwardedHops == 0) {
      throw new ConfigException("invalid config " + ENABLED + "=true with every hop count 0: nothing would be trusted");
    }
    return trust;
  }

  /** Whether a request from this TCP peer comes through a trusted proxy: trust is on and the peer is inside. */
  public boolean trusts(String peerAddress) {
    return enabled && networks.contains(peerAddress);
  }

  private static TrustedNetworks networks(Settings settings) {
    List<String> entries = settings.list(TRUSTED_NETWORKS);
    if (entries.isEmpty()) {
      return TrustedNetworks.LOOPBACK;
    }
    try {
      return TrustedNetworks.parse(entries);
    } catch (IllegalArgumentException bad) {
      throw ConfigException.invalid(TRUSTED_NETWORKS, settings.string(TRUSTED_NETWORKS, ""),
          "comma-separated CIDR blocks the reverse proxies connect from, such as 10.0.3.0/24,fd00::/8 ("
              + bad.getMessage() + ")");
    }
  }
}

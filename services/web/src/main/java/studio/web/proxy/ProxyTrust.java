package studio.web.proxy;

import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

/**
 * How many reverse-proxy hops to believe for each forwarded header, like Werkzeug's ProxyFix. Off by
 * default (a directly exposed server must not let clients choose their own address or scheme); the
 * compose and Kubernetes manifests turn it on with one hop. With {@code N} hops, the N-th value from
 * the right of a header is used (the one the outermost trusted proxy saw); values further left were
 * sent by the client or untrusted hops and are ignored. 0 ignores that header.
 */
public record ProxyTrust(boolean enabled, int forHops, int protoHops, int hostHops, int portHops, int prefixHops,
                         int forwardedHops) {
  public static final String ENABLED = "STUDIO_PROXY_FIX_ENABLED";
  public static final String X_FOR = "STUDIO_PROXY_FIX_X_FOR";
  public static final String X_PROTO = "STUDIO_PROXY_FIX_X_PROTO";
  public static final String X_HOST = "STUDIO_PROXY_FIX_X_HOST";
  public static final String X_PORT = "STUDIO_PROXY_FIX_X_PORT";
  public static final String X_PREFIX = "STUDIO_PROXY_FIX_X_PREFIX";
  /** RFC 7239 {@code Forwarded}; when trusted it takes precedence over the X-Forwarded-* headers it covers. */
  public static final String FORWARDED = "STUDIO_PROXY_FIX_FORWARDED";
  public static final ProxyTrust NONE = new ProxyTrust(false, 0, 0, 0, 0, 0, 0);

  public static ProxyTrust from(Settings settings) {
    boolean enabled = settings.bool(ENABLED, false);
    ProxyTrust trust = new ProxyTrust(enabled,
        settings.intAtLeast(X_FOR, 1, 0),
        settings.intAtLeast(X_PROTO, 1, 0),
        settings.intAtLeast(X_HOST, 1, 0),
        settings.intAtLeast(X_PORT, 1, 0),
        settings.intAtLeast(X_PREFIX, 1, 0),
        settings.intAtLeast(FORWARDED, 0, 0));
    if (enabled && trust.forHops + trust.protoHops + trust.hostHops + trust.portHops + trust.prefixHops
        + trust.forwardedHops == 0) {
      throw new ConfigException("invalid config " + ENABLED + "=true with every hop count 0: nothing would be trusted");
    }
    return trust;
  }
}

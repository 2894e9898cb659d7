package studio.runtime.egress;

import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a user-supplied URL may be fetched from the address its host resolved to. Only
 * http and https; the address (normalised, so {@code ::ffff:127.0.0.1} is 127.0.0.1) must be public
 * unless it lies in {@code STUDIO_EGRESS_ALLOWED_NETWORKS}, or the host is in
 * {@code STUDIO_EGRESS_ALLOWED_HOSTS}, or the URL is on an origin the operator configured (a trusted
 * endpoint such as {@code STUDIO_HF_ENDPOINT}).
 */
public final class EgressPolicy {
  private final EgressConfig config;
  private final List<URI> trustedOrigins;

  public EgressPolicy(EgressConfig config) {
    this(config, List.of());
  }

  private EgressPolicy(EgressConfig config, List<URI> trustedOrigins) {
    this.config = config;
    this.trustedOrigins = List.copyOf(trustedOrigins);
  }

  /** This policy plus one operator-configured endpoint whose origin (scheme, host, port) is trusted as configured. */
  public EgressPolicy trusting(URI endpoint) {
    List<URI> origins = new ArrayList<>(trustedOrigins);
    origins.add(endpoint);
    return new EgressPolicy(config, origins);
  }

  /** Why {@code uri} may not be fetched at all (scheme, no host), before anything is resolved. */
  public Optional<String> refusal(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.of("is refused: only http and https URLs are fetched");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("is refused: the URL has no host");
    }
    return Optional.empty();
  }

  /** Why {@code uri} may not be fetched from {@code address} (already normalised), or empty when it may. */
  public Optional<String> refusal(URI uri, InetAddress address) {
    Optional<String> unusable = refusal(uri);
    if (unusable.isPresent() || trusted(uri) || config.allowedHosts().matches(uri.getHost())) {
      return unusable;
    }
    return SpecialAddresses.blockOf(address)
        .filter(block -> config.allowedNetworks().stream().noneMatch(range -> range.contains(address)))
        .map(block -> (literal(uri.getHost()) ? "is " : "resolves to ") + address.getHostAddress()
            + ": " + block.kind() + " (" + block.range() + "), refused by the egress policy; to allow it, add "
            + address.getHostAddress() + " or its network to " + EgressConfig.ALLOWED_NETWORKS
            + (literal(uri.getHost()) ? "" : ", or " + uri.getHost() + " to " + EgressConfig.ALLOWED_HOSTS));
  }

  private static boolean literal(String host) {
    try {
      return IpLiteral.parse(host).isPresent();
    } catch (IllegalArgumentException malformed) {
      return true;
    }
  }

  private boolean trusted(URI uri) {
    return trustedOrigins.stream().anyMatch(origin -> origin.getScheme().equalsIgnoreCase(uri.getScheme())
        && origin.getHost().equalsIgnoreCase(uri.getHost()) && port(origin) == port(uri));
  }

  static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }
}

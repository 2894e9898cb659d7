package studio.web.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;
import studio.runtime.egress.IpRange;

/**
 * The networks reverse proxies connect from ({@code STUDIO_PROXY_TRUSTED_NETWORKS}): CIDR blocks such
 * as {@code 10.0.0.0/8} or {@code fd00::/8}, a bare address being a block of one. Only a TCP peer inside
 * one of them may speak for the browser; anyone else reaching the port directly (another container or
 * pod) is an ordinary client whose forwarded and identity headers mean nothing.
 */
public record TrustedNetworks(List<IpRange> ranges) {
  /** What a socket reports as its peer: an IPv4 or IPv6 literal, never a name to look up. */
  private static final Pattern ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  /** The default: a proxy on the same host (or in the same pod). */
  public static final TrustedNetworks LOOPBACK = parse(List.of("127.0.0.0/8", "::1/128"));

  public TrustedNetworks {
    ranges = List.copyOf(ranges);
  }

  /** IllegalArgumentException naming the first entry that is not a literal address or CIDR block. */
  public static TrustedNetworks parse(List<String> entries) {
    return new TrustedNetworks(entries.stream().map(IpRange::parse).toList());
  }

  /**
   * Whether the peer's address (as the socket reports it, e.g. {@code 127.0.0.1}, {@code ::1}) is inside;
   * an IPv4-mapped IPv6 peer counts as its IPv4 address.
   */
  public boolean contains(String peerAddress) {
    if (peerAddress == null || !ADDRESS.matcher(peerAddress).matches()) {
      return false; // a Unix socket or nothing: no address to vouch for
    }
    try {
      InetAddress peer = InetAddress.getByName(peerAddress.contains(":") ? "[" + peerAddress + "]" : peerAddress);
      return ranges.stream().anyMatch(range -> range.contains(peer));
    } catch (UnknownHostException malformed) {
      return false;
    }
  }

  @Override
  public String toString() {
    return String.join(",", ranges.stream().map(IpRange::toString).toList());
  }
}

package studio.web.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The networks reverse proxies connect from ({@code STUDIO_PROXY_TRUSTED_NETWORKS}): CIDR blocks such
 * as {@code 10.0.0.0/8} or {@code fd00::/8}, a bare address being a block of one. Only a TCP peer inside
 * one of them may speak for the browser; anyone else reaching the port directly (another container or
 * pod) is an ordinary client whose forwarded and identity headers mean nothing.
 */
public record TrustedNetworks(List<Block> blocks) {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  /** The default: a proxy on the same host (or in the same pod). */
  public static final TrustedNetworks LOOPBACK = parse(List.of("127.0.0.0/8", "::1/128"));

  public TrustedNetworks {
    blocks = List.copyOf(blocks);
  }

  /** IllegalArgumentException naming the first entry that is not a literal address or CIDR block. */
  public static TrustedNetworks parse(List<String> entries) {
    return new TrustedNetworks(entries.stream().map(TrustedNetworks::block).toList());
  }

  /** Whether the peer's address (as the socket reports it, e.g. {@code 127.0.0.1}, {@code ::1}) is inside. */
  public boolean contains(String peerAddress) {
    if (peerAddress == null || !(IPV4.matcher(peerAddress).matches() || IPV6.matcher(peerAddress).matches())) {
      return false; // a Unix socket or nothing: no address to vouch for
    }
    byte[] peer = literal(peerAddress);
    return peer != null && blocks.stream().anyMatch(block -> block.contains(peer));
  }

  @Override
  public String toString() {
    return String.join(",", blocks.stream().map(Block::text).toList());
  }

  private static Block block(String entry) {
    String text = entry.trim();
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    byte[] network = IPV4.matcher(address).matches() || IPV6.matcher(address).matches() ? literal(address) : null;
    if (network == null) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block");
    }
    int bits = network.length * 8;
    int prefix = slash < 0 ? bits : prefixLength(text.substring(slash + 1));
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("\"" + text + "\" has a prefix length outside 0-" + bits);
    }
    return new Block(masked(network, prefix), prefix, text);
  }

  /** The bytes of an address literal; the patterns above guarantee no name is ever looked up. */
  private static byte[] literal(String address) {
    try {
      return InetAddress.getByName(address.contains(":") ? "[" + address + "]" : address).getAddress();
    } catch (UnknownHostException malformed) {
      return null;
    }
  }

  private static int prefixLength(String digits) {
    return digits.matches("\\d{1,3}") ? Integer.parseInt(digits) : -1;
  }

  private static byte[] masked(byte[] address, int prefix) {
    byte[] result = address.clone();
    for (int i = 0; i < result.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      result[i] &= (byte) (0xff << (8 - keep));
    }
    return result;
  }

  /** One CIDR block; an IPv4 peer only matches IPv4 blocks ({@code ::ffff:a.b.c.d} peers arrive as IPv4). */
  public record Block(byte[] network, int prefix, String text) {
    boolean contains(byte[] address) {
      return address.length == network.length && Arrays.equals(masked(address, prefix), network);
    }
  }
}

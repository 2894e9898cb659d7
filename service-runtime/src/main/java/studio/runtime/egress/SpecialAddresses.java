package studio.runtime.egress;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The address blocks a user-supplied URL may not reach unless an operator allows them: everything
 * that is not the public internet (this host, the private networks around it, link-local with the
 * cloud metadata service, carrier-grade NAT, multicast, unspecified, broadcast and reserved).
 */
public final class SpecialAddresses {
  /** One refused block and what it is, for the message. */
  public record Block(IpRange range, String kind) {
  }

  private static final List<Block> BLOCKS = List.of(
      block("0.0.0.0/8", "unspecified (\"this network\")"),
      block("10.0.0.0/8", "private (RFC 1918)"),
      block("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
      block("127.0.0.0/8", "loopback"),
      block("169.254.0.0/16", "link-local, where cloud metadata services answer"),
      block("172.16.0.0/12", "private (RFC 1918)"),
      block("192.0.0.0/24", "IETF protocol assignments"),
      block("192.168.0.0/16", "private (RFC 1918)"),
      block("198.18.0.0/15", "benchmarking (RFC 2544)"),
      block("224.0.0.0/4", "multicast"),
      block("255.255.255.255/32", "broadcast"),
      block("240.0.0.0/4", "reserved"),
      block("::/128", "unspecified"),
      block("::1/128", "loopback"),
      block("fc00::/7", "unique local (ULA)"),
      block("fe80::/10", "link-local"),
      block("fec0::/10", "site-local (deprecated)"),
      block("ff00::/8", "multicast"));
  /** IPv6 blocks that carry an IPv4 address a gateway connects on to: NAT64 (RFC 6052) and 6to4 (RFC 3056). */
  private static final IpRange NAT64 = IpRange.parse("64:ff9b::/96");
  private static final IpRange SIX_TO_FOUR = IpRange.parse("2002::/16");

  private SpecialAddresses() {
  }

  /**
   * The form to decide on and to dial: an IPv4-mapped ({@code ::ffff:a.b.c.d}) or IPv4-compatible
   * ({@code ::a.b.c.d}) IPv6 address is the IPv4 address it names.
   */
  public static InetAddress normalise(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      byte[] bytes = v6.getAddress();
      boolean zeroPrefix = Arrays.equals(Arrays.copyOf(bytes, 10), new byte[10]);
      boolean mapped = zeroPrefix && bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
      boolean compatible = zeroPrefix && bytes[10] == 0 && bytes[11] == 0 && !isUnspecifiedOrLoopback(bytes);
      if (mapped || compatible) {
        return ipv4(Arrays.copyOfRange(bytes, 12, 16));
      }
    }
    return address;
  }

  /** The refused block {@code address} (normalised) falls in, also through a NAT64 or 6to4 prefix. */
  public static Optional<Block> blockOf(InetAddress address) {
    Optional<Block> direct = BLOCKS.stream().filter(block -> block.range().contains(address)).findFirst();
    if (direct.isPresent()) {
      return direct;
    }
    byte[] bytes = address.getAddress();
    if (NAT64.contains(address)) {
      return blockOf(ipv4(Arrays.copyOfRange(bytes, 12, 16))).map(block -> via(block, "NAT64"));
    }
    if (SIX_TO_FOUR.contains(address)) {
      return blockOf(ipv4(Arrays.copyOfRange(bytes, 2, 6))).map(block -> via(block, "6to4"));
    }
    return Optional.empty();
  }

  private static Block via(Block block, String prefix) {
    return new Block(block.range(), block.kind() + ", through a " + prefix + " address");
  }

  private static boolean isUnspecifiedOrLoopback(byte[] bytes) {
    return bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && (bytes[15] == 0 || bytes[15] == 1);
  }

  private static InetAddress ipv4(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static Block block(String range, String kind) {
    return new Block(IpRange.parse(range), kind);
  }
}

package studio.runtime.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/** A CIDR block such as {@code 10.0.0.0/8} or {@code fc00::/7}; a bare address is a block of one. */
public final class IpRange {
  private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  private final byte[] network;
  private final int prefix;
  private final String text;

  private IpRange(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
    this.text = format(network, prefix);
  }

  /**
   * Parses {@code a.b.c.d/n}, {@code v6::/n} or a bare address. Only the plain literal forms are
   * accepted (no host names, no {@code 127.1}); host bits beyond the prefix are cleared.
   */
  public static IpRange parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    if (!DOTTED_QUAD.matcher(address).matches() && !IPV6.matcher(address).matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block");
    }
    byte[] bytes;
    try {
      // Literal forms only (checked above, brackets force IPv6 parsing): no name is ever looked up.
      bytes = InetAddress.getByName(address.contains(":") ? "[" + address + "]" : address).getAddress();
    } catch (UnknownHostException malformed) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block");
    }
    int bits = bytes.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(trimmed.substring(slash + 1));
    } catch (NumberFormatException malformed) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("\"" + text + "\" has a prefix length outside 0-" + bits);
    }
    return new IpRange(masked(bytes, prefix), prefix);
  }

  public boolean contains(InetAddress address) {
    byte[] candidate = address.getAddress();
    return candidate.length == network.length && Arrays.equals(masked(candidate, prefix), network);
  }

  private static byte[] masked(byte[] bytes, int prefix) {
    byte[] result = bytes.clone();
    for (int i = 0; i < result.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      result[i] &= (byte) (0xff << (8 - keep));
    }
    return result;
  }

  private static String format(byte[] network, int prefix) {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IpRange range && range.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}

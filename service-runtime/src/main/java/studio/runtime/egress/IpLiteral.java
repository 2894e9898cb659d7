package studio.runtime.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the host of a URL as an IP address when it is one, the way browsers and curl do (the WHATWG
 * URL rules): {@code [v6]} in brackets, and IPv4 in any of its historical spellings, so
 * {@code 2130706433}, {@code 0x7f.1} and {@code 0177.0.0.1} are all 127.0.0.1. A host whose last
 * label is a number but that is no valid address is refused rather than looked up as a name.
 */
public final class IpLiteral {
  private static final Pattern IPV6_TEXT = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z._~-]+)?");
  private static final Pattern NUMBER = Pattern.compile("[0-9]+|0[xX][0-9A-Fa-f]*");

  private IpLiteral() {
  }

  /** The address {@code host} spells, empty for a name to resolve; IllegalArgumentException for a bad number. */
  public static Optional<InetAddress> parse(String host) {
    if (host.startsWith("[") && host.endsWith("]")) {
      String inner = host.substring(1, host.length() - 1);
      if (!IPV6_TEXT.matcher(inner).matches()) {
        throw new IllegalArgumentException("\"" + host + "\" is not an IPv6 address");
      }
      try {
        // The brackets make the JDK parse an IPv6 literal or fail; it never looks a bracketed host up.
        return Optional.of(InetAddress.getByName(host));
      } catch (UnknownHostException malformed) {
        throw new IllegalArgumentException("\"" + host + "\" is not an IPv6 address");
      }
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    String[] parts = name.split("\\.", -1);
    if (name.isEmpty() || !NUMBER.matcher(parts[parts.length - 1]).matches()) {
      return Optional.empty();
    }
    return Optional.of(ipv4(host, parts));
  }

  private static InetAddress ipv4(String host, String[] parts) {
    if (parts.length > 4) {
      throw notIpv4(host);
    }
    long value = 0;
    for (int i = 0; i < parts.length; i++) {
      long part = number(host, parts[i]);
      boolean last = i == parts.length - 1;
      long limit = last ? 1L << (8 * (5 - parts.length)) : 256;
      if (part >= limit) {
        throw notIpv4(host);
      }
      value = last ? (value << (8 * (5 - parts.length))) + part : (value << 8) + part;
    }
    byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static long number(String host, String part) {
    String text = part.toLowerCase(Locale.ROOT);
    int radix = 10;
    if (text.startsWith("0x")) {
      radix = 16;
      text = text.substring(2);
    } else if (text.length() > 1 && text.startsWith("0")) {
      radix = 8;
      text = text.substring(1);
    }
    if (text.isEmpty()) {
      if (radix == 16) {
        return 0;
      }
      throw notIpv4(host);
    }
    if (text.length() > 12) {
      throw notIpv4(host);
    }
    try {
      return Long.parseLong(text, radix);
    } catch (NumberFormatException malformed) {
      throw notIpv4(host);
    }
  }

  private static IllegalArgumentException notIpv4(String host) {
    return new IllegalArgumentException("\"" + host + "\" ends in a number but is not an IPv4 address");
  }
}

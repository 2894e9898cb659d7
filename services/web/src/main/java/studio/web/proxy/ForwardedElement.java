package studio.web.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One element of an RFC 7239 {@code Forwarded} header: {@code for=...;proto=...;host=...}. */
record ForwardedElement(String forValue, String proto, String host) {

  /** Elements of every occurrence of the header, in order; malformed pairs are skipped. */
  static List<ForwardedElement> parse(List<String> headers) {
    List<ForwardedElement> elements = new ArrayList<>();
    for (String header : headers) {
      for (String element : header.split(",")) {
        String forValue = null;
        String proto = null;
        String host = null;
        for (String pair : element.split(";")) {
          int equals = pair.indexOf('=');
          if (equals <= 0) {
            continue;
          }
          String name = pair.substring(0, equals).trim().toLowerCase(Locale.ROOT);
          String value = unquote(pair.substring(equals + 1).trim());
          switch (name) {
            case "for" -> forValue = stripPort(value);
            case "proto" -> proto = value;
            case "host" -> host = value;
            default -> {
              // "by" and extensions say nothing about the client
            }
          }
        }
        if (forValue != null || proto != null || host != null) {
          elements.add(new ForwardedElement(forValue, proto, host));
        }
      }
    }
    return elements;
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1) : value;
  }

  /** {@code "[2001:db8::1]:4711"} -> {@code 2001:db8::1}; {@code 192.0.2.60:80} -> {@code 192.0.2.60}. */
  private static String stripPort(String value) {
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      return close > 0 ? value.substring(1, close) : value;
    }
    int colon = value.indexOf(':');
    return colon > 0 && value.indexOf(':', colon + 1) < 0 ? value.substring(0, colon) : value;
  }
}

package studio.runtime.egress;

import java.util.List;
import java.util.Locale;

/**
 * Host names an operator listed: {@code example.com} matches that host, {@code *.example.com} any
 * host below it (not {@code example.com} itself). Case and one trailing dot are ignored.
 */
public record HostPatterns(List<String> entries) {
  public HostPatterns {
    entries = entries.stream().map(HostPatterns::canonical).toList();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public boolean matches(String host) {
    String name = canonical(host);
    return entries.stream().anyMatch(entry -> entry.startsWith("*.") ? name.endsWith(entry.substring(1)) : name.equals(entry));
  }

  private static String canonical(String host) {
    String lower = host.trim().toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }
}

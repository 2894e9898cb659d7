package studio.downloads.transfer;

import java.util.List;
import java.util.Locale;

/**
 * Which hosts downloads may contact (redirect targets included). Empty allows every host; an entry
 * {@code example.com} allows that host, {@code *.example.com} any host below it.
 */
public record HostAllowlist(List<String> entries) {
  public HostAllowlist {
    entries = List.copyOf(entries);
  }

  public boolean allows(String host) {
    if (entries.isEmpty()) {
      return true;
    }
    String name = host.toLowerCase(Locale.ROOT);
    return entries.stream().anyMatch(entry -> entry.startsWith("*.")
        ? name.endsWith(entry.substring(1))
        : name.equals(entry));
  }
}

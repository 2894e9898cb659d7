package studio.downloads.transfer;

import java.util.List;
import studio.runtime.egress.HostPatterns;

/**
 * Which hosts downloads may contact at all (redirect targets included), {@code STUDIO_DOWNLOADS_ALLOWED_HOSTS}:
 * empty allows every host; an entry {@code example.com} allows that host, {@code *.example.com} any host
 * below it. It only narrows: a listed host must still pass the egress policy on its address.
 */
public record HostAllowlist(HostPatterns patterns) {
  public HostAllowlist(List<String> entries) {
    this(new HostPatterns(entries));
  }

  public boolean allows(String host) {
    return patterns.isEmpty() || patterns.matches(host);
  }
}

package studio.launcher;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import studio.runtime.config.ConfigException;

/** The services the launcher can deploy, by the names operators type. */
public enum ServiceName {
  WEB("web", true, true),
  HUB("hub", false, true),
  TASKS("tasks", true, false),
  DOWNLOADS("downloads", true, false);

  private final String cliName;
  private final boolean needsPostgres;
  private final boolean needsRedis;

  ServiceName(String cliName, boolean needsPostgres, boolean needsRedis) {
    this.cliName = cliName;
    this.needsPostgres = needsPostgres;
    this.needsRedis = needsRedis;
  }

  public String cliName() {
    return cliName;
  }

  public boolean needsPostgres() {
    return needsPostgres;
  }

  public boolean needsRedis() {
    return needsRedis;
  }

  /** {@code all} (or nothing) means every service; otherwise any subset, e.g. {@code web hub}. */
  public static Set<ServiceName> parse(List<String> names) {
    if (names == null || names.isEmpty()) {
      return EnumSet.allOf(ServiceName.class);
    }
    EnumSet<ServiceName> selected = EnumSet.noneOf(ServiceName.class);
    for (String name : names) {
      for (String part : name.split(",")) {
        String wanted = part.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals("all")) {
          selected.addAll(EnumSet.allOf(ServiceName.class));
        } else if (!wanted.isEmpty()) {
          selected.add(Arrays.stream(values()).filter(s -> s.cliName.equals(wanted)).findFirst()
              .orElseThrow(() -> new ConfigException("unknown service \"" + part.trim() + "\": expected all or any of "
                  + Arrays.stream(values()).map(ServiceName::cliName).collect(Collectors.joining(", ")))));
        }
      }
    }
    return selected;
  }

  /** "studio-all" or "studio-web+hub": the default log prefix of a process. */
  public static String processName(Set<ServiceName> services) {
    return services.size() == values().length ? "studio-all"
        : "studio-" + services.stream().map(ServiceName::cliName).collect(Collectors.joining("+"));
  }
}

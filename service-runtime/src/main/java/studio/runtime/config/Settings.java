package studio.runtime.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every knob's raw value after precedence (environment over config file) and aliases, read with
 * typed accessors that fail with one line naming the knob and the bad value. Defaults are passed by
 * the config records that own them.
 */
public final class Settings {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(k|kb|kib|m|mb|mib|g|gb|gib|b)?");
  private final Map<String, Object> values;
  private final List<String> migrationWarnings;

  public Settings(Map<String, Object> values) {
    Aliases.Resolved resolved = Aliases.resolve(withoutNulls(values));
    this.values = Map.copyOf(resolved.values());
    this.migrationWarnings = resolved.warnings();
  }

  public static Settings of(Map<String, ?> values) {
    return new Settings(Map.copyOf(values));
  }

  /**
   * One line per variable of the old stack that has no effect here (no equivalent, or its new name is
   * also set), naming what to use instead; the launcher logs each at startup.
   */
  public List<String> migrationWarnings() {
    return migrationWarnings;
  }

  public Optional<String> optional(String knob) {
    Object value = values.get(knob);
    if (value == null || value.toString().isBlank()) {
      return Optional.empty();
    }
    return Optional.of(value.toString().trim());
  }

  public String string(String knob, String defaultValue) {
    return optional(knob).orElse(defaultValue);
  }

  public int port(String knob, int defaultValue) {
    return integer(knob, defaultValue, 0, 65535, "a port number 0-65535");
  }

  public int intAtLeast(String knob, int defaultValue, int min) {
    return integer(knob, defaultValue, min, Integer.MAX_VALUE, "an integer >= " + min);
  }

  public boolean bool(String knob, boolean defaultValue) {
    return optional(knob).map(value -> switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw ConfigException.invalid(knob, value, "true or false");
    }).orElse(defaultValue);
  }

  /** A non-negative duration: {@code 500ms}, {@code 25s}, {@code 2m}, {@code 1h}, {@code 7d}; a bare number is seconds. */
  public Duration duration(String knob, Duration defaultValue) {
    return optional(knob).map(value -> {
      Matcher matcher = DURATION.matcher(value.toLowerCase(Locale.ROOT));
      if (!matcher.matches()) {
        throw ConfigException.invalid(knob, value, "a non-negative duration such as 500ms, 25s, 2m, 1h or 7d");
      }
      long amount = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2) == null ? "s" : matcher.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        case "d" -> Duration.ofDays(amount);
        default -> Duration.ofSeconds(amount);
      };
    }).orElse(defaultValue);
  }

  /** A positive size: {@code 1048576}, {@code 512k}/{@code 512KiB}, {@code 10m}/{@code 10MiB}, {@code 1g}/{@code 1GiB} (powers of 1024). */
  public long bytes(String knob, long defaultValue) {
    return optional(knob).map(value -> {
      Matcher matcher = SIZE.matcher(value.toLowerCase(Locale.ROOT).trim());
      if (!matcher.matches()) {
        throw ConfigException.invalid(knob, value, "a size such as 1048576, 512KiB, 10MiB or 1GiB");
      }
      long amount = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2) == null ? "" : matcher.group(2).substring(0, 1);
      long size = switch (unit) {
        case "k" -> amount << 10;
        case "m" -> amount << 20;
        case "g" -> amount << 30;
        default -> amount;
      };
      if (size <= 0) {
        throw ConfigException.invalid(knob, value, "a size greater than zero");
      }
      return size;
    }).orElse(defaultValue);
  }

  /** One of an enum's constants, written in any case with '-' or '_'. */
  public <E extends Enum<E>> E oneOf(String knob, E defaultValue, Class<E> type) {
    return optional(knob).map(value -> parseEnum(knob, value, type)).orElse(defaultValue);
  }

  /** A comma-separated list of enum constants, e.g. {@code websocket,sockjs}. */
  public <E extends Enum<E>> List<E> listOf(String knob, List<E> defaultValue, Class<E> type) {
    return optional(knob).map(value -> {
      List<E> parsed = list(knob).stream().map(item -> parseEnum(knob, item, type)).distinct().toList();
      if (parsed.isEmpty()) {
        throw ConfigException.invalid(knob, value, "one or more of " + names(type));
      }
      return parsed;
    }).orElse(defaultValue);
  }

  /** A comma-separated list of non-empty strings. */
  public List<String> list(String knob) {
    return optional(knob)
        .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
        .orElse(List.of());
  }

  private int integer(String knob, int defaultValue, int min, int max, String expected) {
    return optional(knob).map(value -> {
      try {
        int parsed = Integer.parseInt(value);
        if (parsed < min || parsed > max) {
          throw ConfigException.invalid(knob, value, expected);
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw ConfigException.invalid(knob, value, expected);
      }
    }).orElse(defaultValue);
  }

  private static <E extends Enum<E>> E parseEnum(String knob, String value, Class<E> type) {
    String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    return Arrays.stream(type.getEnumConstants()).filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> ConfigException.invalid(knob, value, "one of " + names(type)));
  }

  private static <E extends Enum<E>> String names(Class<E> type) {
    return String.join(", ", Arrays.stream(type.getEnumConstants())
        .map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> values) {
    Map<String, Object> copy = new java.util.HashMap<>();
    values.forEach((key, value) -> {
      if (key != null && value != null) {
        copy.put(key, value);
      }
    });
    return copy;
  }
}

package studio.runtime.logging;

import studio.runtime.config.Settings;

/** The operators guide's logging knobs; {@code prefix} null means "studio-&lt;services&gt;". */
public record LogConfig(LogLevel level, LogFormat format, String prefix, boolean colors) {
  public static final String LEVEL = "LOG_LEVEL";
  public static final String FORMAT = "LOG_FORMAT";
  public static final String PREFIX = "LOG_PREFIX";
  public static final String COLORS = "LOG_COLORS";

  public enum LogLevel { TRACE, DEBUG, INFO, WARNING, WARN, ERROR }

  public enum LogFormat { PRETTY, JSON }

  public static LogConfig from(Settings settings) {
    return new LogConfig(
        settings.oneOf(LEVEL, LogLevel.INFO, LogLevel.class),
        settings.oneOf(FORMAT, LogFormat.PRETTY, LogFormat.class),
        settings.optional(PREFIX).orElse(null),
        // Colours only help on a terminal; piped output (docker logs, files) stays plain unless asked.
        settings.bool(COLORS, System.console() != null));
  }

  public static LogConfig defaults() {
    return new LogConfig(LogLevel.INFO, LogFormat.PRETTY, null, false);
  }
}

package studio.runtime.logging;

import java.nio.file.Path;
import studio.runtime.config.Settings;

/**
 * The operators guide's logging knobs; {@code prefix} null means "studio-&lt;services&gt;". {@code file}
 * and {@code accessFile} null mean stdout (Gunicorn's error and access log files).
 */
public record LogConfig(LogLevel level, LogFormat format, String prefix, boolean colors, Path file, Path accessFile) {
  public static final String LEVEL = "LOG_LEVEL";
  public static final String FORMAT = "LOG_FORMAT";
  public static final String PREFIX = "LOG_PREFIX";
  public static final String COLORS = "LOG_COLORS";
  public static final String FILE = "LOG_FILE";
  /** Where web's access lines go when {@code STUDIO_HTTP_ACCESS_LOG} turns them on; read here because appenders are set up here. */
  public static final String ACCESS_FILE = "STUDIO_HTTP_ACCESS_LOG_FILE";
  /** Logger web writes access lines to. */
  public static final String ACCESS_LOGGER = "studio.access";

  /** CRITICAL is Gunicorn's and Python's level above ERROR; logback has none, so it logs as ERROR. */
  public enum LogLevel { TRACE, DEBUG, INFO, WARNING, WARN, ERROR, CRITICAL }

  public enum LogFormat { PRETTY, JSON }

  public static LogConfig from(Settings settings) {
    return new LogConfig(
        settings.oneOf(LEVEL, LogLevel.INFO, LogLevel.class),
        settings.oneOf(FORMAT, LogFormat.PRETTY, LogFormat.class),
        settings.optional(PREFIX).orElse(null),
        // Colours only help on a terminal; piped output (docker logs, files) stays plain unless asked.
        settings.bool(COLORS, System.console() != null),
        fileOrStdout(settings, FILE),
        fileOrStdout(settings, ACCESS_FILE));
  }

  public static LogConfig defaults() {
    return new LogConfig(LogLevel.INFO, LogFormat.PRETTY, null, false, null, null);
  }

  /** Unset or {@code -} (Gunicorn's spelling of the console) means stdout. */
  private static Path fileOrStdout(Settings settings, String knob) {
    return settings.optional(knob).filter(value -> !value.equals("-")).map(Path::of).orElse(null);
  }
}

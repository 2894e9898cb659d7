package studio.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import studio.runtime.config.ConfigException;
import studio.runtime.service.HostIdentity;

/**
 * Replaces the bootstrap logback.xml with what the LOG_* knobs ask for, once config is known: every
 * line to stdout or {@code LOG_FILE}, and web's access lines to {@code STUDIO_HTTP_ACCESS_LOG_FILE}
 * instead when it is set.
 */
public final class LoggingSetup {
  private LoggingSetup() {
  }

  /** @throws ConfigException when a log file cannot be opened */
  public static void apply(LogConfig config, String defaultService) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    String service = config.prefix() != null ? config.prefix() : defaultService;
    context.reset();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender(context, config, service, config.file(), LogConfig.FILE));
    if (config.accessFile() != null) {
      Logger access = context.getLogger(LogConfig.ACCESS_LOGGER);
      access.setAdditive(false);
      access.addAppender(appender(context, config, service, config.accessFile(), LogConfig.ACCESS_FILE));
    }
    Level level = toLevel(config.level());
    root.setLevel(level);
    // Third-party chatter stays at WARN unless someone asks for DEBUG or TRACE.
    Level quiet = level.isGreaterOrEqual(Level.INFO) ? Level.WARN : level;
    for (String noisy : new String[] {"com.hazelcast", "io.netty", "org.flywaydb", "io.zonky", "redis.embedded"}) {
      context.getLogger(noisy).setLevel(quiet);
    }
  }

  /** A file when one is named (appended to, like Gunicorn's log files), else stdout. */
  private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext context, LogConfig config, String service,
                                                              Path file, String knob) {
    // ANSI colours belong on a terminal, never in a file.
    boolean colors = config.colors() && file == null;
    Encoder<ILoggingEvent> encoder = config.format() == LogConfig.LogFormat.JSON
        ? JsonLines.encoder(context, service, HostIdentity.address())
        : pretty(context, service, HostIdentity.address(), colors);
    OutputStreamAppender<ILoggingEvent> appender;
    if (file == null) {
      appender = new ConsoleAppender<>();
    } else {
      FileAppender<ILoggingEvent> toFile = new FileAppender<>();
      toFile.setFile(file.toAbsolutePath().toString());
      toFile.setAppend(true);
      appender = toFile;
    }
    appender.setContext(context);
    appender.setName(knob);
    appender.setEncoder(encoder);
    appender.start();
    if (!appender.isStarted()) {
      // logback would only note it in its status list and drop every line: refuse instead.
      throw ConfigException.invalid(knob, file, "a file this process can create or append to");
    }
    return appender;
  }

  private static Encoder<ILoggingEvent> pretty(LoggerContext context, String service, String host, boolean colors) {
    PrettyLineLayout layout = new PrettyLineLayout(service, host, colors);
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    return encoder;
  }

  static Level toLevel(LogConfig.LogLevel level) {
    return switch (level) {
      case TRACE -> Level.TRACE;
      case DEBUG -> Level.DEBUG;
      case INFO -> Level.INFO;
      case WARNING, WARN -> Level.WARN;
      case ERROR, CRITICAL -> Level.ERROR;
    };
  }
}

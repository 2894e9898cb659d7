package studio.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;
import studio.runtime.service.HostIdentity;

/** Replaces the bootstrap logback.xml with what the LOG_* knobs ask for, once config is known. */
public final class LoggingSetup {
  private LoggingSetup() {
  }

  public static void apply(LogConfig config, String defaultService) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    String service = config.prefix() != null ? config.prefix() : defaultService;
    String host = HostIdentity.address();
    Encoder<ILoggingEvent> encoder = config.format() == LogConfig.LogFormat.JSON
        ? JsonLines.encoder(context, service, host)
        : pretty(context, service, host, config.colors());
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("console");
    appender.setEncoder(encoder);
    appender.start();

    context.reset();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    Level level = toLevel(config.level());
    root.setLevel(level);
    // Third-party chatter stays at WARN unless someone asks for DEBUG or TRACE.
    Level quiet = level.isGreaterOrEqual(Level.INFO) ? Level.WARN : level;
    for (String noisy : new String[] {"com.hazelcast", "io.netty", "org.flywaydb", "io.zonky", "redis.embedded"}) {
      context.getLogger(noisy).setLevel(quiet);
    }
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
      case ERROR -> Level.ERROR;
    };
  }
}

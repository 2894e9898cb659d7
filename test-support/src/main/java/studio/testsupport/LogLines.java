package studio.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What a logger (and the loggers below it) wrote while this is open, for tests that assert what an
 * operator would read: {@code try (LogLines lines = LogLines.of("ROOT")) { ... lines.atLeast(Level.ERROR) }}.
 */
public final class LogLines implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogLines(Logger logger) {
    this.logger = logger;
    appender.start();
    logger.addAppender(appender);
  }

  /** Lines of the logger named {@code name} ({@code "ROOT"}: every logger). */
  public static LogLines of(String name) {
    return new LogLines((Logger) LoggerFactory.getLogger(name));
  }

  public static LogLines of(Class<?> type) {
    return of(type.getName());
  }

  /** The formatted messages of the lines at {@code level} or above, so far. */
  public List<String> atLeast(Level level) {
    return List.copyOf(appender.list).stream().filter(line -> line.getLevel().isGreaterOrEqual(level))
        .map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}

package studio.runtime.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;

/** What both layouts print of an event, so pretty and JSON lines carry the same facts. */
final class LogLine {
  private LogLine() {
  }

  /** The operators guide's level names: WARNING rather than logback's WARN. */
  static String level(ILoggingEvent event) {
    String level = event.getLevel().toString();
    return "WARN".equals(level) ? "WARNING" : level;
  }

  static String throwable(ILoggingEvent event) {
    IThrowableProxy proxy = event.getThrowableProxy();
    return proxy == null ? null : ThrowableProxyUtil.asString(proxy);
  }
}

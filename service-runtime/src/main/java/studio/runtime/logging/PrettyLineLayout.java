package studio.runtime.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** {@code studio-hub (172.17.0.2) | 15:33:19.086 | INFO | message key=value}, as the operators guide shows. */
final class PrettyLineLayout extends LayoutBase<ILoggingEvent> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
  private static final String RESET = "\u001b[0m";
  private final String prefix;
  private final boolean colors;

  PrettyLineLayout(String service, String host, boolean colors) {
    this.prefix = service + " (" + host + ")";
    this.colors = colors;
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(128)
        .append(prefix).append(" | ")
        .append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(" | ")
        .append(colored(LogLine.level(event))).append(" | ")
        .append(event.getFormattedMessage());
    event.getMDCPropertyMap().forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
    line.append(CoreConstants.LINE_SEPARATOR);
    String throwable = LogLine.throwable(event);
    if (throwable != null) {
      line.append(throwable);
    }
    return line.toString();
  }

  private String colored(String level) {
    if (!colors) {
      return level;
    }
    String color = switch (level) {
      case "ERROR" -> "\u001b[31m";
      case "WARNING" -> "\u001b[33m";
      case "INFO" -> "\u001b[32m";
      default -> "\u001b[36m";
    };
    return color + level + RESET;
  }
}

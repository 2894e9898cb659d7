package studio.runtime.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One JSON object per line, as log shippers (ELK, Loki) expect:
 * {@code {"timestamp","level","service","host","message", ...MDC fields}}.
 */
final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
  private final String service;
  private final String host;

  JsonLineLayout(String service, String host) {
    this.service = service;
    this.host = host;
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    JsonObject line = new JsonObject()
        .put("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString())
        .put("level", LogLine.level(event))
        .put("service", service)
        .put("host", host)
        .put("logger", event.getLoggerName())
        .put("message", event.getFormattedMessage());
    event.getMDCPropertyMap().forEach(line::put);
    if (event.getKeyValuePairs() != null) {
      // Structured fields of a fluent log call (e.g. the access log's status and duration) stay typed.
      event.getKeyValuePairs().forEach(pair -> line.put(pair.key, pair.value));
    }
    String throwable = LogLine.throwable(event);
    if (throwable != null) {
      line.put("exception", throwable);
    }
    return line.encode() + CoreConstants.LINE_SEPARATOR;
  }
}

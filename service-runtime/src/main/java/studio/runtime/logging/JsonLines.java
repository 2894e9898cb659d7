package studio.runtime.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import net.logstash.logback.composite.AbstractFieldJsonProvider;
import net.logstash.logback.composite.GlobalCustomFieldsJsonProvider;
import net.logstash.logback.composite.JsonWritingUtils;
import net.logstash.logback.composite.loggingevent.KeyValuePairsJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggerNameJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventJsonProviders;
import net.logstash.logback.composite.loggingevent.MdcJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.composite.loggingevent.StackTraceJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;

/**
 * {@code LOG_FORMAT=json}: one object per line, as log shippers (ELK, Loki) expect, written by
 * logstash-logback-encoder: {@code timestamp, level, service, host, logger, message}, then the MDC
 * fields and the structured key-value fields of a fluent log call (typed, e.g. the access log's
 * status and duration), then {@code exception}. An MDC or key-value field that bears one of the
 * line's own names is written as {@code mdc_<name>} or {@code kv_<name>}, so nothing a caller puts
 * there can pass for the line's level or message.
 */
final class JsonLines {
  static final List<String> OWN_FIELDS = List.of("timestamp", "level", "service", "host", "logger", "message", "exception");

  private JsonLines() {
  }

  static LoggingEventCompositeJsonEncoder encoder(Context context, String service, String host) {
    LoggingEventJsonProviders providers = new LoggingEventJsonProviders();
    LoggingEventFormattedTimestampJsonProvider timestamp = new LoggingEventFormattedTimestampJsonProvider();
    timestamp.setFieldName("timestamp");
    timestamp.setPattern("[ISO_INSTANT]");
    timestamp.setTimeZone("UTC");
    providers.addTimestamp(timestamp);
    providers.addProvider(new GuideLevel());
    GlobalCustomFieldsJsonProvider<ILoggingEvent> serviceAndHost = new GlobalCustomFieldsJsonProvider<>();
    serviceAndHost.setCustomFields(new JsonObject().put("service", service).put("host", host).encode());
    providers.addGlobalCustomFields(serviceAndHost);
    LoggerNameJsonProvider logger = new LoggerNameJsonProvider();
    logger.setFieldName("logger");
    providers.addLoggerName(logger);
    MessageJsonProvider message = new MessageJsonProvider();
    message.setFieldName("message");
    providers.addMessage(message);
    MdcJsonProvider mdc = new MdcJsonProvider();
    KeyValuePairsJsonProvider keyValues = new KeyValuePairsJsonProvider();
    OWN_FIELDS.forEach(own -> {
      mdc.addMdcKeyFieldName(own + "=mdc_" + own);
      keyValues.addKeyFieldName(own + "=kv_" + own);
    });
    providers.addMdc(mdc);
    providers.addKeyValuePairs(keyValues);
    StackTraceJsonProvider exception = new StackTraceJsonProvider();
    exception.setFieldName("exception");
    providers.addStackTrace(exception);

    LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
    encoder.setContext(context);
    encoder.setProviders(providers);
    encoder.start();
    return encoder;
  }

  /** The operators guide's level names ({@code WARNING}, not logback's {@code WARN}), as in pretty lines. */
  private static final class GuideLevel extends AbstractFieldJsonProvider<ILoggingEvent> {
    GuideLevel() {
      setFieldName("level");
    }

    @Override
    public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
      JsonWritingUtils.writeStringField(generator, getFieldName(), LogLine.level(event));
    }
  }
}

package studio.runtime.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class LayoutTest {
  private static String json(LoggingEvent event) {
    return new String(JsonLines.encoder(new LoggerContext(), "shs-worker", "172.17.0.2").encode(event), StandardCharsets.UTF_8);
  }

  /** Every field name as written, duplicates included (a JSON parser would keep only the last). */
  private static List<String> fieldsAsWritten(String line) {
    return Pattern.compile("\"([a-z_]+)\":").matcher(line).results().map(m -> m.group(1)).toList();
  }
  private static LoggingEvent event(Level level, String message) {
    return event(level, message, Map.of("job_id", "abc123"));
  }

  private static LoggingEvent event(Level level, String message, Map<String, String> mdc) {
    LoggerContext context = new LoggerContext();
    LoggingEvent event = new LoggingEvent("x", context.getLogger("studio.test"), level, message, null, null);
    event.setMDCPropertyMap(mdc);
    event.setTimeStamp(1735572645123L);
    return event;
  }

  @Test
  @DisplayName("json format is one object per line with timestamp, level, service, host, message and MDC fields")
  void jsonLine() {
    String line = json(event(Level.INFO, "Job completed"));
    assertThat(line).endsWith("\n").doesNotContain("\n\n");
    JsonObject json = new JsonObject(line.trim());
    assertThat(json.getString("timestamp")).isEqualTo("2024-12-30T15:30:45.123Z");
    assertThat(json.getString("level")).isEqualTo("INFO");
    assertThat(json.getString("service")).isEqualTo("shs-worker");
    assertThat(json.getString("host")).isEqualTo("172.17.0.2");
    assertThat(json.getString("message")).isEqualTo("Job completed");
    assertThat(json.getString("job_id")).isEqualTo("abc123");
  }

  @Test
  @DisplayName("an MDC or key-value field named like a line's own field (level, message, ...) cannot overwrite it")
  void reservedFieldsKeepTheirValues() {
    LoggingEvent event = event(Level.WARN, "the real message", Map.of("level", "DEBUG", "service", "forged", "job_id", "abc123"));
    event.addKeyValuePair(new KeyValuePair("message", "forged"));
    event.addKeyValuePair(new KeyValuePair("timestamp", "forged"));
    JsonObject json = new JsonObject(json(event).trim());
    assertThat(json.getString("level")).isEqualTo("WARNING");
    assertThat(json.getString("message")).isEqualTo("the real message");
    assertThat(json.getString("service")).isEqualTo("shs-worker");
    assertThat(json.getString("timestamp")).isEqualTo("2024-12-30T15:30:45.123Z");
    assertThat(json.getString("job_id")).isEqualTo("abc123");
    assertThat(json.getString("mdc_level")).isEqualTo("DEBUG");
    assertThat(json.getString("kv_message")).isEqualTo("forged");
    assertThat(fieldsAsWritten(json(event))).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("json key-value fields stay typed and an exception is one field with its stack trace")
  void jsonTypedFieldsAndException() {
    LoggingEvent event = event(Level.ERROR, "failed");
    event.addKeyValuePair(new KeyValuePair("status", 404));
    event.setThrowableProxy(new ch.qos.logback.classic.spi.ThrowableProxy(new IllegalStateException("boom")));
    JsonObject json = new JsonObject(json(event).trim());
    assertThat(json.getValue("status")).isEqualTo(404);
    assertThat(json.getString("exception")).startsWith("java.lang.IllegalStateException: boom").contains("\tat ", "LayoutTest");
  }

  @Test
  @DisplayName("pretty format reads 'service (host) | time | LEVEL | message' and says WARNING like the guide")
  void prettyLine() {
    String line = new PrettyLineLayout("shs-worker", "172.17.0.2", false).doLayout(event(Level.WARN, "slow"));
    assertThat(line).matches("shs-worker \\(172\\.17\\.0\\.2\\) \\| \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\| WARNING \\| slow job_id=abc123\\R");
  }

  @Test
  @DisplayName("colours are ANSI escapes only when asked for")
  void colors() {
    assertThat(new PrettyLineLayout("s", "h", true).doLayout(event(Level.ERROR, "m"))).contains("\u001b[31mERROR");
    assertThat(new PrettyLineLayout("s", "h", false).doLayout(event(Level.ERROR, "m"))).doesNotContain("\u001b");
  }
}

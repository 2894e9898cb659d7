package studio.runtime.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LayoutTest {
  private static LoggingEvent event(Level level, String message) {
    LoggerContext context = new LoggerContext();
    LoggingEvent event = new LoggingEvent("x", context.getLogger("studio.test"), level, message, null, null);
    event.setMDCPropertyMap(Map.of("job_id", "abc123"));
    event.setTimeStamp(1735572645123L);
    return event;
  }

  @Test
  @DisplayName("json format is one object per line with timestamp, level, service, host, message and MDC fields")
  void jsonLine() {
    String line = new JsonLineLayout("shs-worker", "172.17.0.2").doLayout(event(Level.INFO, "Job completed"));
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

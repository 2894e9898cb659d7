package studio.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SettingsTest {
  enum Transport { WEBSOCKET, SOCKJS }

  @Test
  @DisplayName("unset and blank knobs take the default the caller passes")
  void defaults() {
    Settings settings = Settings.of(Map.of("BLANK", "  "));
    assertThat(settings.port("BLANK", 8080)).isEqualTo(8080);
    assertThat(settings.string("MISSING", "x")).isEqualTo("x");
    assertThat(settings.duration("MISSING", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.bool("MISSING", true)).isTrue();
  }

  @Test
  @DisplayName("a non-numeric or out-of-range port fails naming the knob and the value")
  void badPort() {
    assertThatThrownBy(() -> Settings.of(Map.of("STUDIO_HTTP_PORT", "eighty")).port("STUDIO_HTTP_PORT", 8080))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid config STUDIO_HTTP_PORT=\"eighty\": expected a port number 0-65535");
    assertThatThrownBy(() -> Settings.of(Map.of("P", "70000")).port("P", 1)).hasMessageContaining("P=\"70000\"");
  }

  @Test
  @DisplayName("durations take ms, s, m, h units and bare numbers mean seconds, like Gunicorn and Socket.IO")
  void durations() {
    Settings settings = Settings.of(Map.of("A", "250ms", "B", "25", "C", "2m", "D", "1h", "E", 7));
    assertThat(settings.duration("A", null)).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.duration("B", null)).isEqualTo(Duration.ofSeconds(25));
    assertThat(settings.duration("C", null)).isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.duration("D", null)).isEqualTo(Duration.ofHours(1));
    assertThat(settings.duration("E", null)).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  @DisplayName("a negative or unit-less garbage timeout fails naming the knob")
  void badDuration() {
    assertThatThrownBy(() -> Settings.of(Map.of("STUDIO_GRACEFUL_TIMEOUT", "-5")).duration("STUDIO_GRACEFUL_TIMEOUT", null))
        .hasMessageStartingWith("invalid config STUDIO_GRACEFUL_TIMEOUT=\"-5\": expected a non-negative duration");
    assertThatThrownBy(() -> Settings.of(Map.of("T", "5 parsecs")).duration("T", null)).hasMessageContaining("T=\"5 parsecs\"");
  }

  @Test
  @DisplayName("an unknown enum value (e.g. a transport) fails and lists the accepted ones")
  void badEnum() {
    assertThatThrownBy(() -> Settings.of(Map.of("STUDIO_RT_TRANSPORTS", "websocket,carrier-pigeon"))
        .listOf("STUDIO_RT_TRANSPORTS", List.of(), Transport.class))
        .hasMessage("invalid config STUDIO_RT_TRANSPORTS=\"carrier-pigeon\": expected one of websocket, sockjs");
  }

  @Test
  @DisplayName("enum lists are case-insensitive, trimmed and de-duplicated")
  void enumLists() {
    assertThat(Settings.of(Map.of("T", " WebSocket , sockjs,websocket")).listOf("T", List.of(), Transport.class))
        .containsExactly(Transport.WEBSOCKET, Transport.SOCKJS);
  }

  @Test
  @DisplayName("booleans accept true/false/yes/no/1/0 and refuse anything else")
  void booleans() {
    assertThat(Settings.of(Map.of("B", "yes")).bool("B", false)).isTrue();
    assertThat(Settings.of(Map.of("B", "0")).bool("B", true)).isFalse();
    assertThatThrownBy(() -> Settings.of(Map.of("LOG_COLORS", "maybe")).bool("LOG_COLORS", true))
        .hasMessage("invalid config LOG_COLORS=\"maybe\": expected true or false");
  }

  @Test
  @DisplayName("an old-stack alias fills its canonical knob, but the canonical name wins when both are set")
  void aliases() {
    assertThat(Settings.of(Map.of("PORT", "9000")).port("STUDIO_HTTP_PORT", 8080)).isEqualTo(9000);
    assertThat(Settings.of(Map.of("PORT", "9000", "STUDIO_HTTP_PORT", "9100")).port("STUDIO_HTTP_PORT", 8080))
        .isEqualTo(9100);
    assertThat(Settings.of(Map.of("LLMCTL_STUDIO_SOCKETIO_CORS_ALLOWED_ORIGINS", "https://a.example"))
        .list("STUDIO_CORS_ALLOWED_ORIGINS")).containsExactly("https://a.example");
  }
}

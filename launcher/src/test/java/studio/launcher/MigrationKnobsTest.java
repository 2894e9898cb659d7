package studio.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.hub.HubConfig.Transport;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.runtime.logging.LogConfig;
import studio.web.serving.ServingConfig;

/**
 * Every variable an operator of the Flask/Gunicorn/Socket.IO stack set either changes the resolved
 * configuration the launcher starts from, or produces a startup warning naming it: none is ignored
 * silently.
 */
class MigrationKnobsTest {
  /** A seed knob, a value as the old stack's env files wrote it, and what it must become here (null: a warning). */
  private record Seed(String knob, String value, Function<StudioConfig, Object> effect, Object expected) {
  }

  private static final List<Seed> SEED_KNOBS = List.of(
      new Seed("GUNICORN_BIND", "0.0.0.0:9000", c -> c.common().httpHost() + " " + c.web().port(), "0.0.0.0 9000"),
      new Seed("GUNICORN_WORKERS", "3", c -> c.web().serving().instances(), 3),
      new Seed("GUNICORN_THREADS", "7", c -> c.common().workerPoolSize(), 7),
      new Seed("GUNICORN_TIMEOUT", "120", c -> c.web().serving().requestTimeout(), Duration.ofSeconds(120)),
      new Seed("GUNICORN_GRACEFUL_TIMEOUT", "45", c -> c.common().gracefulTimeout(), Duration.ofSeconds(45)),
      new Seed("GUNICORN_KEEPALIVE", "5", c -> c.web().serving().keepAliveTimeout(), Duration.ofSeconds(5)),
      new Seed("GUNICORN_WORKER_CLASS", "gthread", null, null),
      new Seed("GUNICORN_LOG_LEVEL", "debug", c -> c.common().log().level(), LogConfig.LogLevel.DEBUG),
      new Seed("GUNICORN_ACCESS_LOG", "-", c -> c.web().serving().accessLog() + " " + c.common().log().accessFile(),
          "COMBINED null"),
      new Seed("GUNICORN_ERROR_LOG", "/var/log/studio/error.log", c -> c.common().log().file(),
          Path.of("/var/log/studio/error.log")),
      new Seed("LLMCTL_STUDIO_USE_GUNICORN", "true", null, null),
      new Seed("LLMCTL_STUDIO_PROXY_FIX_ENABLED", "true", c -> c.web().proxy().enabled(), true),
      new Seed("LLMCTL_STUDIO_PROXY_FIX_X_FOR", "2", c -> c.web().proxy().forHops(), 2),
      new Seed("LLMCTL_STUDIO_PROXY_FIX_X_PROTO", "2", c -> c.web().proxy().protoHops(), 2),
      new Seed("LLMCTL_STUDIO_PROXY_FIX_X_HOST", "0", c -> c.web().proxy().hostHops(), 0),
      new Seed("LLMCTL_STUDIO_PROXY_FIX_X_PORT", "0", c -> c.web().proxy().portHops(), 0),
      new Seed("LLMCTL_STUDIO_PROXY_FIX_X_PREFIX", "2", c -> c.web().proxy().prefixHops(), 2),
      new Seed("LLMCTL_STUDIO_PREFERRED_URL_SCHEME", "https", null, null),
      new Seed("LLMCTL_STUDIO_SOCKETIO_MESSAGE_QUEUE", "redis://queue.internal:6379/2", c -> c.common().redis().url(),
          "redis://queue.internal:6379/2"),
      new Seed("LLMCTL_STUDIO_SOCKETIO_REDIS_DB", "2", null, null),
      new Seed("LLMCTL_STUDIO_SOCKETIO_ASYNC_MODE", "threading", null, null),
      new Seed("LLMCTL_STUDIO_SOCKETIO_PATH", "/socket.io", null, null),
      new Seed("LLMCTL_STUDIO_SOCKETIO_CORS_ALLOWED_ORIGINS", "https://studio.example.com",
          c -> c.common().allowedOrigins(), List.of("https://studio.example.com")),
      new Seed("LLMCTL_STUDIO_SOCKETIO_TRANSPORTS", "polling", c -> c.hub().transports(),
          List.of(Transport.SOCKJS)),
      new Seed("LLMCTL_STUDIO_SOCKETIO_PING_INTERVAL", "10", c -> c.hub().session().pingInterval(),
          Duration.ofSeconds(10)),
      new Seed("LLMCTL_STUDIO_SOCKETIO_PING_TIMEOUT", "15", c -> c.hub().session().pingTimeout(),
          Duration.ofSeconds(15)),
      new Seed("LLMCTL_STUDIO_SOCKETIO_MONITOR_CLIENTS", "true", null, null),
      new Seed("LLMCTL_STUDIO_SOCKETIO_LOGGER", "true", null, null),
      new Seed("LLMCTL_STUDIO_SOCKETIO_ENGINEIO_LOGGER", "true", null, null));

  /** Fixed secrets, so two resolutions of the same variables are equal records. */
  private static Map<String, String> base() {
    return Map.of("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef", "WORKER_SHARED_SECRET",
        "fedcba9876543210fedcba9876543210", "LOG_COLORS", "false");
  }

  private static Settings settings(Map<String, String> extra) {
    Map<String, String> values = new HashMap<>(base());
    values.putAll(extra);
    return Settings.of(values);
  }

  @Test
  @DisplayName("each seed GUNICORN_* and LLMCTL_STUDIO_* knob is mapped (its value shows in the resolved config) or warned about by name")
  void everySeedKnobIsMappedOrWarned() {
    StudioConfig defaults = StudioConfig.from(settings(Map.of()), false);
    for (Seed seed : SEED_KNOBS) {
      Settings settings = settings(Map.of(seed.knob(), seed.value()));
      StudioConfig config = StudioConfig.from(settings, false);
      if (seed.effect() == null) {
        assertThat(config).as(seed.knob() + " has no equivalent, so it changes nothing").isEqualTo(defaults);
        assertThat(settings.migrationWarnings()).as(seed.knob())
            .singleElement().asString().startsWith(seed.knob() + " has no effect: ").hasSizeGreaterThan(40);
      } else {
        assertThat(seed.effect().apply(config)).as(seed.knob()).isEqualTo(seed.expected())
            .isNotEqualTo(seed.effect().apply(defaults));
        assertThat(settings.migrationWarnings()).as(seed.knob()).isEmpty();
      }
    }
  }

  @Test
  @DisplayName("an old variable whose new name is also set has no effect, and the warning names the new one")
  void newNameWinsAndSaysSo() {
    Settings settings = settings(Map.of("GUNICORN_WORKERS", "3", "STUDIO_HTTP_INSTANCES", "5",
        "GUNICORN_BIND", "0.0.0.0:9000", "STUDIO_HTTP_HOST", "127.0.0.1", "STUDIO_HTTP_PORT", "9100"));
    StudioConfig config = StudioConfig.from(settings, false);
    assertThat(config.web().serving().instances()).isEqualTo(5);
    assertThat(config.web().port()).isEqualTo(9100);
    assertThat(settings.migrationWarnings()).containsExactlyInAnyOrder(
        "GUNICORN_WORKERS has no effect: STUDIO_HTTP_INSTANCES is also set and wins",
        "GUNICORN_BIND has no effect: STUDIO_HTTP_HOST and STUDIO_HTTP_PORT are also set and win");
  }

  @Test
  @DisplayName("GUNICORN_BIND reads [ipv6]:port and a bare host (Gunicorn's port 8000); unix: and fd:// are refused naming the knob")
  void bindForms() {
    StudioConfig ipv6 = StudioConfig.from(settings(Map.of("GUNICORN_BIND", "[::]:8001")), false);
    assertThat(ipv6.common().httpHost()).isEqualTo("::");
    assertThat(ipv6.web().port()).isEqualTo(8001);
    assertThat(StudioConfig.from(settings(Map.of("GUNICORN_BIND", "10.0.0.5")), false).web().port()).isEqualTo(8000);
    for (String refused : List.of("unix:/run/studio.sock", "fd://3", "0.0.0.0:http", "a:1,b:2")) {
      assertThatThrownBy(() -> settings(Map.of("GUNICORN_BIND", refused))).as(refused)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid config GUNICORN_BIND=\"" + refused + "\": expected host:port")
          .hasMessageContaining("STUDIO_HTTP_HOST and STUDIO_HTTP_PORT");
    }
  }

  @Test
  @DisplayName("GUNICORN_ACCESS_LOG=<file> turns the access log on into that file; GUNICORN_LOG_LEVEL=critical logs errors")
  void logFiles() {
    StudioConfig config = StudioConfig.from(settings(Map.of("GUNICORN_ACCESS_LOG", "/var/log/studio/access.log",
        "GUNICORN_LOG_LEVEL", "critical")), false);
    assertThat(config.web().serving().accessLog()).isEqualTo(ServingConfig.AccessLogFormat.COMBINED);
    assertThat(config.common().log().accessFile()).isEqualTo(Path.of("/var/log/studio/access.log"));
    assertThat(config.common().log().level()).isEqualTo(LogConfig.LogLevel.CRITICAL);
  }

  @Test
  @DisplayName("an old-stack variable this table does not know still gets a warning naming it")
  void unknownOldVariable() {
    assertThat(settings(Map.of("GUNICORN_PRELOAD_APP", "true")).migrationWarnings())
        .singleElement().asString().startsWith("GUNICORN_PRELOAD_APP has no effect: Studio Runtime has no such knob");
  }
}

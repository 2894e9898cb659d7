package studio.web.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static studio.web.support.Await.result;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import studio.web.support.WebNode;

/** The access log names the external client (after proxy trust), the request line, status and size. */
@ExtendWith(VertxExtension.class)
class AccessLogTest {
  private final Logger access = (Logger) LoggerFactory.getLogger("studio.access");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void capture() {
    lines.start();
    access.addAppender(lines);
  }

  @AfterEach
  void release() {
    access.detachAppender(lines);
  }

  @Test
  @DisplayName("combined: one Apache-style line per request with the trusted client address")
  void combined(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_HTTP_ACCESS_LOG", "combined", "STUDIO_PROXY_FIX_ENABLED", "true"));
    result(node.client().get("/api/v1/session?x=1").putHeader("X-Forwarded-For", "203.0.113.7")
        .putHeader("User-Agent", "access-log-test").send());
    await().atMost(Duration.ofSeconds(30)).until(() -> !lines.list.isEmpty());
    String line = lines.list.get(0).getFormattedMessage();
    assertThat(line).startsWith("203.0.113.7 - - [").contains("\"GET /api/v1/session?x=1 HTTP/1.1\" 200 ")
        .contains("\"access-log-test\"");
  }

  @Test
  @DisplayName("json: typed key-value fields for the JSON log format")
  void json(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_HTTP_ACCESS_LOG", "json"));
    result(node.client().get("/api/v1/nope").send());
    await().atMost(Duration.ofSeconds(30)).until(() -> !lines.list.isEmpty());
    Map<String, Object> fields = new HashMap<>();
    lines.list.get(0).getKeyValuePairs().forEach(pair -> fields.put(pair.key, pair.value));
    assertThat(fields).containsEntry("client", "127.0.0.1").containsEntry("method", "GET")
        .containsEntry("uri", "/api/v1/nope").containsEntry("status", 404).containsKey("duration_ms");
  }

  @Test
  @DisplayName("off (the default): nothing is logged")
  void off(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    result(node.client().get("/api/v1/session").send());
    result(node.client().get("/health").send());
    assertThat(lines.list).isEmpty();
  }
}

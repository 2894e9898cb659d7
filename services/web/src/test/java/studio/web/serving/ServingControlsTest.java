package studio.web.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import ch.qos.logback.classic.Level;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.web.api.ApiRouter;
import studio.testsupport.LogLines;
import studio.web.support.WebNode;

@ExtendWith(VertxExtension.class)
class ServingControlsTest {

  /** Through a web client over {@code client}'s pool: it reads the body with the response (test-support's HttpClients says why). */
  private static HttpResponse<Buffer> get(HttpClient client, int port, String path) throws Exception {
    return result(WebClient.wrap(client).get(port, "127.0.0.1", path).send());
  }

  @Test
  @DisplayName("past STUDIO_HTTP_MAX_CONNECTIONS open connections, requests get 503 with Retry-After and the error shape")
  void maxConnections(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_HTTP_MAX_CONNECTIONS", "1", "STUDIO_HTTP_INSTANCES", "1"));
    HttpClient first = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    HttpClient second = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    assertThat(get(first, node.port(), "/health").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> refused = get(second, node.port(), "/health");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    result(first.close());
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(get(second, node.port(), "/health").statusCode()).isEqualTo(200));
  }

  @Test
  @DisplayName("after STUDIO_HTTP_MAX_REQUESTS requests a keep-alive connection is closed, so clients rebalance")
  void maxRequestsPerConnection(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_HTTP_MAX_REQUESTS", "3", "STUDIO_HTTP_INSTANCES", "1"));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    assertThat(get(client, node.port(), "/health").getHeader("Connection")).isNull();
    assertThat(get(client, node.port(), "/health").getHeader("Connection")).isNull();
    assertThat(get(client, node.port(), "/health").getHeader("Connection")).isEqualTo("close");
  }

  @Test
  @DisplayName("direct TLS: HTTPS with HTTP/2 over ALPN, and pages are told https/wss URLs")
  void directTls(Vertx vertx) throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_TLS_CERT", certificate.certificatePath(),
        "STUDIO_TLS_KEY", certificate.privateKeyPath()));
    WebClient https = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2));
    HttpResponse<Buffer> response = result(https.get(node.port(), "localhost", "/api/v1/realtime/token").send());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.bodyAsJsonObject().getJsonObject("endpoints").getString("websocket")).startsWith("wss://localhost:");
  }

  @Test
  @DisplayName("CORS: an allowlisted origin gets credentials; a foreign origin's POST is 403 before it runs")
  void corsAndCrossOriginWrites(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_CORS_ALLOWED_ORIGINS", "https://app.example.com"));
    HttpResponse<Buffer> preflight = result(node.client().request(HttpMethod.OPTIONS, "/api/v1/session")
        .putHeader("Origin", "https://app.example.com").putHeader("Access-Control-Request-Method", "POST")
        .putHeader("Access-Control-Request-Headers", "content-type,idempotency-key").send());
    assertThat(preflight.statusCode()).isBetween(200, 204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(preflight.getHeader("Access-Control-Allow-Credentials")).isEqualTo("true");

    HttpResponse<Buffer> forged = result(node.client().post("/api/v1/session").putHeader("Origin", "https://evil.example")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{}")));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  /**
   * The socket that closes while its request is in flight: before, the body read's HttpClosedException
   * was taken for the database going away (a WARN "database unavailable") and counted as a 503, so a
   * client hanging up paged whoever watches 5xx. nginx calls it 499, client closed request.
   */
  @Test
  @DisplayName("a client that hangs up mid-request is counted as 499, not as a 5xx, and is not logged as a database outage")
  void clientClosedMidRequest(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    try (LogLines lines = LogLines.of(ApiRouter.class)) {
      NetSocket socket = result(vertx.createNetClient().connect(node.port(), "127.0.0.1"));
      // Headers and half the body, then the FIN: TCP hands the server the bytes before the close.
      result(socket.write("POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"executor\""));
      result(socket.close());
      Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(result(node.client().get("/metrics").send()).bodyAsString())
              .containsPattern("http_server_requests_seconds_count\\{method=\"POST\",route=\"[^\"]*\",status=\"499\"} 1"));
      String metrics = result(node.client().get("/metrics").send()).bodyAsString();
      assertThat(metrics).doesNotContainPattern("http_server_requests_seconds_count\\{method=\"POST\",[^}]*status=\"5");
      assertThat(lines.atLeast(Level.WARN)).noneMatch(line -> line.contains("database"));
    }
  }

  @Test
  @DisplayName("/metrics counts requests by method, route template and status")
  void requestMetrics(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    result(node.client().get("/api/v1/session").send());
    result(node.client().get("/api/v1/nope").send());
    String metrics = result(node.client().get("/metrics").send()).bodyAsString();
    assertThat(metrics).contains("http_server_requests_seconds_count{method=\"GET\",route=\"/api/v1/session\",status=\"200\"}");
    assertThat(metrics).containsPattern("http_server_requests_seconds_count\\{method=\"GET\",route=\"[^\"]*\",status=\"404\"}");
    assertThat(metrics).doesNotContain("route=\"/api/v1/nope\"");
    assertThat(metrics).containsPattern("http_server_connections_open\\{event_loop=\"[^\"]+\"} [1-9]");
  }
}

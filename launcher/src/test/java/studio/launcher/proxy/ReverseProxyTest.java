package studio.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.contract.bus.RealtimePublisher;
import studio.contract.envelope.DraftEvent;
import studio.launcher.ServiceName;
import studio.launcher.StudioConfig;
import studio.launcher.StudioStack;
import studio.runtime.config.Settings;
import studio.testsupport.TestInfrastructure;

/**
 * Web and the socket hub behind a real nginx running the shipped config, with TLS at nginx and a
 * path prefix, then with TLS end to end. What a browser sees must be https/wss with the external
 * host and prefix, realtime must work through the proxy, and spoofed forwarded headers must not be believed.
 */
@Tag("system")
class ReverseProxyTest {
  private static final String PREFIX = "/studio";
  private static final String PASSWORD = "proxy-test-password-0123456789abcdef";
  private static final String WORKER_SECRET = "proxy-test-worker-secret-0123456789abcdef";
  @TempDir
  Path directory;
  private StudioStack stack;
  private Nginx nginx;
  private Vertx client;
  private WebClient http;
  private WebSocketClient sockets;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (nginx != null) {
      nginx.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @DisplayName("TLS at nginx, http upstreams, prefix /studio: https URLs, wss events, secure cookie, spoofing ignored")
  void tlsTerminatedAtProxy() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    start(Map.of(), certificate, "http");
    assertBrowserView();
  }

  @Test
  @DisplayName("TLS end to end: nginx -> https upstreams, same external view")
  void tlsEndToEnd() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    start(Map.of("STUDIO_TLS_CERT", certificate.certificatePath(), "STUDIO_TLS_KEY", certificate.privateKeyPath()),
        certificate, "https");
    assertBrowserView();
  }

  private void start(Map<String, String> serviceSettings, SelfSignedCertificate certificate, String upstreamScheme)
      throws Exception {
    Map<String, Object> settings = new HashMap<>(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl(),
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "STUDIO_HTTP_HOST", "127.0.0.1", "STUDIO_HTTP_PORT", "0", "STUDIO_HUB_PORT", "0",
        "STUDIO_PROXY_FIX_ENABLED", "true",
        "STUDIO_AUTH_MODE", "basic", "STUDIO_ADMIN_PASSWORD", PASSWORD));
    settings.put("STUDIO_DATA_DIR", directory.resolve("data").toString());
    settings.put("WORKER_SHARED_SECRET", WORKER_SECRET);
    settings.putAll(serviceSettings);
    stack = StudioStack.start(StudioConfig.from(Settings.of(settings), false), EnumSet.of(ServiceName.WEB, ServiceName.HUB));
    Path nginxDir = java.nio.file.Files.createDirectories(directory.resolve("nginx"));
    Path certs = java.nio.file.Files.createDirectories(directory.resolve("certs"));
    java.nio.file.Files.copy(Path.of(certificate.certificatePath()), certs.resolve("tls.crt"));
    java.nio.file.Files.copy(Path.of(certificate.privateKeyPath()), certs.resolve("tls.key"));
    nginx = Nginx.start(nginxDir, Map.of(
        "STUDIO_PATH_PREFIX", PREFIX,
        "STUDIO_WEB_UPSTREAM", "127.0.0.1:" + stack.ports().get(ServiceName.WEB),
        "STUDIO_HUB_UPSTREAM", "127.0.0.1:" + stack.ports().get(ServiceName.HUB),
        "STUDIO_UPSTREAM_SCHEME", upstreamScheme,
        "STUDIO_PROXY_CERT_DIR", certs.toString()));
    client = Vertx.vertx();
    http = WebClient.create(client, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setFollowRedirects(false).setDefaultHost("localhost").setDefaultPort(nginx.port));
    sockets = client.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
  }

  private void assertBrowserView() throws Exception {
    String room = "task:proxied-" + Long.toHexString(System.nanoTime());
    String external = "https://localhost:" + nginx.port + PREFIX;
    String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());

    HttpResponse<Buffer> redirect = result(http.get(PREFIX + "/").send());
    assertThat(redirect.statusCode()).as(nginx.log()).isEqualTo(302);
    assertThat(redirect.getHeader("Location")).isEqualTo(external + "/app/");

    HttpResponse<Buffer> token = result(http.get(PREFIX + "/api/v1/realtime/token?rooms=" + room)
        .putHeader("Authorization", auth).send());
    assertThat(token.statusCode()).as(token.bodyAsString()).isEqualTo(200);
    JsonObject endpoints = token.bodyAsJsonObject().getJsonObject("endpoints");
    assertThat(endpoints.getString("websocket")).isEqualTo("wss://localhost:" + nginx.port + PREFIX + "/rt/ws");
    assertThat(endpoints.getString("poll")).isEqualTo(external + "/rt/poll");
    String cookie = token.cookies().stream().filter(c -> c.startsWith("studio_session=")).findFirst().orElseThrow();
    assertThat(cookie).contains("Secure").contains("Path=" + PREFIX + "/");

    HttpResponse<Buffer> spoofed = result(http.get(PREFIX + "/api/v1/session").putHeader("Authorization", auth)
        .putHeader("X-Forwarded-For", "203.0.113.66").putHeader("X-Forwarded-Host", "evil.example")
        .putHeader("X-Forwarded-Proto", "http").putHeader("X-Forwarded-User", "mallory").send());
    JsonObject seen = spoofed.bodyAsJsonObject();
    assertThat(seen.getString("client_address")).isEqualTo("127.0.0.1");
    assertThat(seen.getString("host")).isEqualTo("localhost:" + nginx.port);
    assertThat(seen.getString("scheme")).isEqualTo("https");
    assertThat(seen.getString("subject")).isEqualTo("admin");

    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    String uri = PREFIX + "/rt/ws?token=" + token.bodyAsJsonObject().getString("token");
    WebSocket socket = result(sockets.connect(new WebSocketConnectOptions().setHost("localhost").setPort(nginx.port)
        .setSsl(true).setURI(uri)));
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("id", "1")
        .put("rooms", new JsonArray().add(room)).encode());
    await().atMost(Duration.ofSeconds(30)).until(() -> frames.stream().anyMatch(f -> "1".equals(f.getString("id"))));
    RealtimePublisher publisher = new RealtimePublisher(stack.vertx());
    for (int i = 1; i <= 3; i++) {
      result(publisher.publish(DraftEvent.fromJson(new JsonObject().put("event_type", "node.task.updated")
          .put("entity_kind", "task").put("entity_id", room.substring(5)).put("entity_version", i)
          .put("room_keys", new JsonArray().add(room)).put("payload", new JsonObject().put("step", i)))));
    }
    // A worker outside the cluster publishes through the proxy, which routes the ingress to the hub.
    HttpResponse<Buffer> fromWorker = result(http.post(PREFIX + "/api/v1/events")
        .putHeader("Authorization", "Bearer " + WORKER_SECRET)
        .sendJsonObject(new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task")
            .put("entity_id", room.substring(5)).put("entity_version", 4)
            .put("room_keys", new JsonArray().add(room)).put("payload", new JsonObject().put("step", 4))));
    assertThat(fromWorker.statusCode()).as(fromWorker.bodyAsString()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> events(frames).size() == 4);
    assertThat(events(frames)).extracting(f -> f.getLong("offset")).containsExactly(1L, 2L, 3L, 4L);
    assertThat(events(frames)).extracting(f -> f.getJsonObject("event").getJsonObject("payload").getInteger("step"))
        .containsExactly(1, 2, 3, 4);
  }

  private static List<JsonObject> events(List<JsonObject> frames) {
    return frames.stream().filter(f -> "event".equals(f.getString("op"))).toList();
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

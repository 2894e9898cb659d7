package studio.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import studio.launcher.ServiceName;
import studio.launcher.StudioConfig;
import studio.launcher.StudioStack;
import studio.runtime.config.Settings;
import studio.testsupport.TestInfrastructure;

/**
 * The shipped single sign-on config ({@code deploy/proxy/nginx/studio-sso.conf.template}) in a real
 * nginx, in front of web (STUDIO_AUTH_MODE=proxy) and the hub. A tiny HTTP server stands in for
 * oauth2-proxy's auth_request contract: {@code /oauth2/auth} answers 202 with
 * {@code X-Auth-Request-User} for the signed-in cookie and 401 otherwise.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleSignOnProxyTest {
  private static final String SIGNED_IN = "_oauth2_proxy=alice-session";
  private static final String WORKER_SECRET = "sso-test-worker-secret-0123456789abcdef";
  @TempDir
  static Path directory;
  private final List<String> authChecks = new CopyOnWriteArrayList<>();
  private StudioStack stack;
  private Nginx nginx;
  private Vertx client;
  private WebClient http;

  /** One stack, nginx and stand-in for the class: the tests only read, except for one publish to its own room. */
  @BeforeAll
  void start() throws Exception {
    Map<String, Object> settings = new HashMap<>(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl(),
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "STUDIO_HTTP_HOST", "127.0.0.1", "STUDIO_HTTP_PORT", "0", "STUDIO_HUB_PORT", "0",
        "STUDIO_PROXY_FIX_ENABLED", "true",
        "STUDIO_AUTH_MODE", "proxy",
        "WORKER_SHARED_SECRET", WORKER_SECRET));
    settings.put("STUDIO_DATA_DIR", directory.resolve("data").toString());
    stack = StudioStack.start(StudioConfig.from(Settings.of(settings), false), EnumSet.of(ServiceName.WEB, ServiceName.HUB));
    client = Vertx.vertx();
    HttpServer oauth2Proxy = result(client.createHttpServer().requestHandler(request -> {
      String cookie = request.getHeader("Cookie");
      if (request.path().equals("/oauth2/auth")) {
        authChecks.add(request.getHeader("X-Forwarded-Uri"));
        if (cookie != null && cookie.contains(SIGNED_IN)) {
          request.response().setStatusCode(202).putHeader("X-Auth-Request-User", "alice")
              .putHeader("X-Auth-Request-Email", "alice@example.com").end();
        } else {
          request.response().setStatusCode(401).end();
        }
      } else if (request.path().equals("/oauth2/start")) {
        request.response().setStatusCode(302).putHeader("Location", "https://idp.example/authorize").end();
      } else {
        request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));

    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    Path certs = Files.createDirectories(directory.resolve("certs"));
    Files.copy(Path.of(certificate.certificatePath()), certs.resolve("tls.crt"));
    Files.copy(Path.of(certificate.privateKeyPath()), certs.resolve("tls.key"));
    nginx = Nginx.start(Files.createDirectories(directory.resolve("nginx")), "studio-sso.conf.template", Map.of(
        "STUDIO_PATH_PREFIX", "",
        "STUDIO_WEB_UPSTREAM", "127.0.0.1:" + stack.ports().get(ServiceName.WEB),
        "STUDIO_HUB_UPSTREAM", "127.0.0.1:" + stack.ports().get(ServiceName.HUB),
        "STUDIO_AUTH_UPSTREAM", "127.0.0.1:" + oauth2Proxy.actualPort(),
        "STUDIO_UPSTREAM_SCHEME", "http",
        "STUDIO_PROXY_CERT_DIR", certs.toString()));
    http = WebClient.create(client, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setFollowRedirects(false).setDefaultHost("localhost").setDefaultPort(nginx.port));
  }

  @AfterAll
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
  @DisplayName("signed in: pages and the API work and web sees the user oauth2-proxy named, not the one the client forged")
  void signedIn() throws Exception {
    HttpResponse<Buffer> page = result(http.get("/app/").putHeader("Cookie", SIGNED_IN).send());
    assertThat(page.statusCode()).as(nginx.log()).isEqualTo(200);
    assertThat(page.bodyAsString()).containsIgnoringCase("<html");

    HttpResponse<Buffer> session = result(http.get("/api/v1/session").putHeader("Cookie", SIGNED_IN)
        .putHeader("X-Forwarded-User", "mallory").send());
    assertThat(session.statusCode()).as(session.bodyAsString()).isEqualTo(200);
    assertThat(session.bodyAsJsonObject().getString("subject")).isEqualTo("alice");
    assertThat(session.bodyAsJsonObject().getString("scheme")).isEqualTo("https");

    HttpResponse<Buffer> token = result(http.get("/api/v1/realtime/token?rooms=task:1").putHeader("Cookie", SIGNED_IN)
        .send());
    assertThat(token.statusCode()).as(token.bodyAsString()).isEqualTo(200);
    assertThat(authChecks).contains("/app/", "/api/v1/session", "/api/v1/realtime/token?rooms=task:1");
  }

  @Test
  @DisplayName("not signed in: a page redirects to oauth2-proxy's sign-in, the API answers 401, a forged user header changes neither")
  void notSignedIn() throws Exception {
    for (String forged : new String[] {null, "admin"}) {
      var page = http.get("/app/task.html?id=7");
      var api = http.get("/api/v1/session");
      if (forged != null) {
        page.putHeader("X-Forwarded-User", forged);
        api.putHeader("X-Forwarded-User", forged);
      }
      HttpResponse<Buffer> redirect = result(page.send());
      assertThat(redirect.statusCode()).as(nginx.log()).isEqualTo(302);
      assertThat(redirect.getHeader("Location")).isEqualTo("/oauth2/start?rd=/app/task.html?id=7");
      assertThat(result(api.send()).statusCode()).isEqualTo(401);
    }
    HttpResponse<Buffer> signIn = result(http.get("/oauth2/start?rd=/app/").send());
    assertThat(signIn.getHeader("Location")).as("oauth2-proxy's own pages pass through").isEqualTo("https://idp.example/authorize");
    assertThat(result(http.get("/oauth2/auth").putHeader("Cookie", SIGNED_IN).send()).statusCode())
        .as("the auth check is internal to nginx").isEqualTo(404);
  }

  @Test
  @DisplayName("workers publish through the proxy with the worker secret, no sign-in: POST /api/v1/events reaches the hub")
  void workerIngressBypassesSignOn() throws Exception {
    JsonObject draft = new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task")
        .put("entity_id", "sso-1").put("room_keys", new JsonArray().add("task:sso-1")).put("payload", new JsonObject());
    HttpResponse<Buffer> published = result(http.post("/api/v1/events")
        .putHeader("Authorization", "Bearer " + WORKER_SECRET).sendJsonObject(draft));
    assertThat(published.statusCode()).as(published.bodyAsString()).isEqualTo(202);
    assertThat(published.bodyAsJsonObject().getString("event_type")).isEqualTo("node.task.updated");
    assertThat(result(http.post("/api/v1/events").sendJsonObject(draft)).statusCode()).isEqualTo(401);
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

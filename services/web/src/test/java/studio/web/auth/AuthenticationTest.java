package studio.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.auth.RealtimeTokens;
import studio.runtime.auth.TokenKeys;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.web.WebConfig;
import studio.web.support.WebNode;

@ExtendWith(VertxExtension.class)
class AuthenticationTest {
  private static final String PASSWORD = "correct-horse-battery-staple-0123";
  private static final Map<String, String> BASIC = Map.of("STUDIO_AUTH_MODE", "basic",
      "STUDIO_ADMIN_PASSWORD", PASSWORD, "STUDIO_AUTH_FAILURES_PER_MINUTE", "3",
      "STUDIO_PROXY_FIX_ENABLED", "true");

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
  }

  @Test
  @DisplayName("basic: no credentials is 401 with a Basic challenge and the JSON error shape")
  void basicChallenge(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, BASIC);
    HttpResponse<?> response = result(node.client().get("/api/v1/session").send());
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.getHeader("WWW-Authenticate")).startsWith("Basic realm=");
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthenticated");
  }

  @Test
  @DisplayName("basic: the right password signs in and sets an HttpOnly session cookie, Secure behind https, scoped to the prefix")
  void basicSession(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, BASIC);
    HttpResponse<?> signedIn = result(node.client().get("/api/v1/session")
        .putHeader("Authorization", basic("admin", PASSWORD))
        .putHeader("X-Forwarded-Proto", "https").putHeader("X-Forwarded-Prefix", "/studio").send());
    assertThat(signedIn.statusCode()).isEqualTo(200);
    assertThat(signedIn.bodyAsJsonObject().getString("subject")).isEqualTo("admin");
    String cookie = signedIn.cookies().stream().filter(c -> c.startsWith("studio_session=")).findFirst().orElseThrow();
    assertThat(cookie).containsIgnoringCase("HttpOnly").contains("Secure").contains("Path=/studio/").contains("SameSite=Lax");

    String session = cookie.substring(0, cookie.indexOf(';'));
    HttpResponse<?> withCookie = result(node.client().get("/api/v1/session").putHeader("Cookie", session).send());
    assertThat(withCookie.statusCode()).isEqualTo(200);
    assertThat(withCookie.bodyAsJsonObject().getString("subject")).isEqualTo("admin");
  }

  @Test
  @DisplayName("basic: a session cookie forged with the realtime-token key, or the raw JWT_SECRET_KEY, is refused")
  void forgedSessionCookie(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, BASIC);
    JsonObject admin = new JsonObject().put("sub", "admin").put("aud", "studio-session");
    JWTAuth rawSecret = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(WebNode.JWT_SECRET)));
    for (JWTAuth forger : List.of(realtimeTokenKey(vertx), rawSecret)) {
      String forged = forger.generateToken(admin, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(600));
      HttpResponse<?> response = result(node.client().get("/api/v1/session")
          .putHeader("Cookie", Authentication.SESSION_COOKIE + "=" + forged).send());
      assertThat(response.statusCode()).isEqualTo(401);
    }
    String realtimeToken = result(node.client().get("/api/v1/realtime/token").putHeader("Authorization",
        basic("admin", PASSWORD)).send()).bodyAsJsonObject().getString("token");
    assertThat(result(node.client().get("/api/v1/session")
        .putHeader("Cookie", Authentication.SESSION_COOKIE + "=" + realtimeToken).send()).statusCode())
        .as("a realtime token is no session cookie").isEqualTo(401);
  }

  /** The key realtime tokens are signed with, which any holder of a token could try to recover offline. */
  private static JWTAuth realtimeTokenKey(Vertx vertx) {
    return TokenKeys.hs256(vertx, TokenKeys.realtimeTokenKey(WebNode.JWT_SECRET));
  }

  @Test
  @DisplayName("basic over plain http: the session cookie is not marked Secure (the browser would drop it)")
  void insecureCookieOnHttp(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, BASIC);
    HttpResponse<?> signedIn = result(node.client().get("/api/v1/session")
        .putHeader("Authorization", basic("admin", PASSWORD)).send());
    String cookie = signedIn.cookies().stream().filter(c -> c.startsWith("studio_session=")).findFirst().orElseThrow();
    assertThat(cookie).doesNotContain("Secure").contains("Path=/;");
  }

  @Test
  @DisplayName("basic: wrong passwords are 401, then 429 with Retry-After once the per-client limit is reached")
  void basicRateLimited(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, BASIC);
    for (int attempt = 0; attempt < 3; attempt++) {
      assertThat(result(node.client().get("/api/v1/session").putHeader("Authorization", basic("admin", "guess" + attempt))
          .send()).statusCode()).isEqualTo(401);
    }
    HttpResponse<?> limited = result(node.client().get("/api/v1/session")
        .putHeader("Authorization", basic("admin", PASSWORD)).send());
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.getHeader("Retry-After")).matches("\\d+");
    assertThat(limited.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("rate_limited");

    HttpResponse<?> otherClient = result(node.client().get("/api/v1/session").putHeader("X-Forwarded-For", "198.51.100.20")
        .putHeader("Authorization", basic("admin", PASSWORD)).send());
    assertThat(otherClient.statusCode()).as("the limit is per client address").isEqualTo(200);
  }

  @Test
  @DisplayName("proxy: the identity header from the trusted proxy is the subject; without it 401")
  void proxyMode(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "proxy", "STUDIO_PROXY_FIX_ENABLED", "true"));
    assertThat(result(node.client().get("/api/v1/session").send()).statusCode()).isEqualTo(401);
    JsonObject seen = result(node.client().get("/api/v1/session").putHeader("X-Forwarded-User", "ada@example.com")
        .send()).bodyAsJsonObject();
    assertThat(seen.getString("subject")).isEqualTo("ada@example.com");
  }

  @Test
  @DisplayName("proxy: an identity header from a peer outside STUDIO_PROXY_TRUSTED_NETWORKS is ignored (401, not admin)")
  void proxyModeUntrustedPeer(Vertx vertx) throws Exception {
    // The test connects from 127.0.0.1, which 10.0.0.0/8 leaves out: any container could be this peer.
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "proxy", "STUDIO_PROXY_FIX_ENABLED", "true",
        "STUDIO_PROXY_TRUSTED_NETWORKS", "10.0.0.0/8"));
    HttpResponse<?> spoofed = result(node.client().get("/api/v1/session").putHeader("X-Forwarded-User", "admin").send());
    assertThat(spoofed.statusCode()).isEqualTo(401);
    assertThat(spoofed.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("STUDIO_PROXY_TRUSTED_NETWORKS");
    HttpResponse<?> token = result(node.client().get("/api/v1/realtime/token").putHeader("X-Forwarded-User", "admin").send());
    assertThat(token.statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("proxy: the identity header from a peer inside STUDIO_PROXY_TRUSTED_NETWORKS signs in")
  void proxyModeTrustedPeer(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "proxy", "STUDIO_PROXY_FIX_ENABLED", "true",
        "STUDIO_PROXY_TRUSTED_NETWORKS", "127.0.0.0/8"));
    HttpResponse<?> response = result(node.client().get("/api/v1/session").putHeader("X-Forwarded-User", "ada").send());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("subject")).isEqualTo("ada");
  }

  @Test
  @DisplayName("bad auth config fails at startup with a clear message")
  void badConfig() {
    assertThatThrownBy(() -> WebConfig.from(Settings.of(Map.of("STUDIO_AUTH_MODE", "basic"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("STUDIO_ADMIN_PASSWORD");
    assertThatThrownBy(() -> WebConfig.from(Settings.of(Map.of("STUDIO_AUTH_MODE", "proxy"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("STUDIO_PROXY_FIX_ENABLED=true");
    assertThatThrownBy(() -> WebConfig.from(Settings.of(Map.of("STUDIO_AUTH_MODE", "ldap"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("STUDIO_AUTH_MODE");
  }

  @Test
  @DisplayName("production refuses to run open: no STUDIO_AUTH_MODE, or none, fails naming the knob and the modes")
  void productionNeedsAuthentication() {
    for (Map<String, String> open : List.of(Map.of("STUDIO_ENV", "production"),
        Map.of("STUDIO_ENV", "production", "STUDIO_AUTH_MODE", "none"),
        Map.of("ENV", "production", "STUDIO_AUTH_MODE", "none"))) {
      assertThatThrownBy(() -> WebConfig.from(Settings.of(open))).as(open.toString())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("STUDIO_AUTH_MODE").hasMessageContaining("basic").hasMessageContaining("proxy");
    }
    assertThat(WebConfig.from(Settings.of(Map.of("STUDIO_ENV", "production", "STUDIO_AUTH_MODE", "basic",
        "STUDIO_ADMIN_PASSWORD", PASSWORD))).auth().mode()).isEqualTo(AuthConfig.Mode.BASIC);
    assertThat(WebConfig.from(Settings.of(Map.of())).auth().mode()).as("development may run open")
        .isEqualTo(AuthConfig.Mode.NONE);
  }

  @Test
  @DisplayName("the admin password needs 32 characters like every secret: 31 is refused without echoing it")
  void shortAdminPassword() {
    String short31 = PASSWORD.substring(0, 31);
    assertThatThrownBy(() -> WebConfig.from(Settings.of(Map.of("STUDIO_AUTH_MODE", "basic",
        "STUDIO_ADMIN_PASSWORD", short31))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("STUDIO_ADMIN_PASSWORD").hasMessageContaining("32").hasMessageNotContaining(short31);
  }

  @Test
  @DisplayName("the realtime token is a short-lived HS256 JWT for the hub (iss, aud) with the caller as subject and the asked rooms")
  void realtimeToken(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "proxy", "STUDIO_PROXY_FIX_ENABLED", "true",
        "STUDIO_REALTIME_TOKEN_TTL", "2m"));
    HttpResponse<?> response = result(node.client().get("/api/v1/realtime/token?rooms=task:42,flowchart_run:*")
        .putHeader("X-Forwarded-User", "ada").send());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getLong("expires_in")).isEqualTo(120);
    JsonObject claims = result(RealtimeTokens.create(vertx, WebNode.JWT_SECRET).verify(body.getString("token")));
    assertThat(claims.getString("sub")).isEqualTo("ada");
    assertThat(claims.getString("iss")).isEqualTo("studio-web");
    assertThat(claims.getValue("aud").toString()).contains("studio-hub");
    assertThat(claims.getJsonArray("rooms").getList()).containsExactly("task:42", "flowchart_run:*");
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(120);

    HttpResponse<?> badRoom = result(node.client().get("/api/v1/realtime/token?rooms=secrets:1")
        .putHeader("X-Forwarded-User", "ada").send());
    assertThat(badRoom.statusCode()).isEqualTo(400);
    assertThat(badRoom.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_room");
  }
}

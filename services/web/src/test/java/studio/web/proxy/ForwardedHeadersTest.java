package studio.web.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.web.support.WebNode;

/** ProxyFix semantics: only the configured hops are believed, and generated URLs use what they say. */
@ExtendWith(VertxExtension.class)
class ForwardedHeadersTest {

  private static JsonObject session(WebNode node, Map<String, String> headers) throws Exception {
    HttpRequest<?> request = node.client().get("/api/v1/session");
    headers.forEach(request::putHeader);
    return result(request.send()).bodyAsJsonObject();
  }

  @Test
  @DisplayName("trust off (the default): forwarded headers are ignored, the socket is the truth")
  void offByDefault(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    JsonObject seen = session(node, Map.of("X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https",
        "X-Forwarded-Host", "evil.example", "X-Forwarded-Prefix", "/x"));
    assertThat(seen.getString("client_address")).isEqualTo("127.0.0.1");
    assertThat(seen.getString("scheme")).isEqualTo("http");
    assertThat(seen.getString("host")).isEqualTo("127.0.0.1:" + node.port());
    assertThat(seen.getString("prefix")).isEmpty();
  }

  @Test
  @DisplayName("one trusted hop: the proxy's values win, a client-supplied X-Forwarded-For before them is not believed")
  void oneHop(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_PROXY_FIX_ENABLED", "true"));
    JsonObject seen = session(node, Map.of(
        "X-Forwarded-For", "198.51.100.66, 203.0.113.9",
        "X-Forwarded-Proto", "https",
        "X-Forwarded-Host", "studio.example.com",
        "X-Forwarded-Port", "443",
        "X-Forwarded-Prefix", "/studio/"));
    assertThat(seen.getString("client_address")).isEqualTo("203.0.113.9");
    assertThat(seen.getString("scheme")).isEqualTo("https");
    assertThat(seen.getString("host")).isEqualTo("studio.example.com");
    assertThat(seen.getString("prefix")).isEqualTo("/studio");
    assertThat(seen.getString("base_url")).isEqualTo("https://studio.example.com/studio/");
  }

  @Test
  @DisplayName("a peer outside STUDIO_PROXY_TRUSTED_NETWORKS is no proxy: its forwarded headers are ignored")
  void untrustedPeer(Vertx vertx) throws Exception {
    // The test connects from 127.0.0.1; trusting only 10.0.0.0/8 makes it an untrusted peer.
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_PROXY_FIX_ENABLED", "true", "STUDIO_PROXY_FIX_FORWARDED", "1",
        "STUDIO_PROXY_TRUSTED_NETWORKS", "10.0.0.0/8"));
    JsonObject seen = session(node, Map.of("X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https",
        "X-Forwarded-Host", "evil.example", "X-Forwarded-Prefix", "/x",
        "Forwarded", "for=198.51.100.1;proto=https;host=evil.example"));
    assertThat(seen.getString("client_address")).isEqualTo("127.0.0.1");
    assertThat(seen.getString("scheme")).isEqualTo("http");
    assertThat(seen.getString("host")).isEqualTo("127.0.0.1:" + node.port());
    assertThat(seen.getString("prefix")).isEmpty();
  }

  @Test
  @DisplayName("a peer inside STUDIO_PROXY_TRUSTED_NETWORKS is believed")
  void trustedPeer(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_PROXY_FIX_ENABLED", "true",
        "STUDIO_PROXY_TRUSTED_NETWORKS", "10.0.0.0/8, 127.0.0.1/32"));
    JsonObject seen = session(node, Map.of("X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https",
        "X-Forwarded-Host", "studio.example.com"));
    assertThat(seen.getString("client_address")).isEqualTo("203.0.113.9");
    assertThat(seen.getString("scheme")).isEqualTo("https");
    assertThat(seen.getString("host")).isEqualTo("studio.example.com");
  }

  @Test
  @DisplayName("a trusted-networks entry that is no CIDR block stops startup naming the knob")
  void badTrustedNetworks() {
    assertThatThrownBy(() -> ProxyTrust.from(Settings.of(Map.of("STUDIO_PROXY_FIX_ENABLED", "true",
        "STUDIO_PROXY_TRUSTED_NETWORKS", "10.0.0.0/8,proxy.internal"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("STUDIO_PROXY_TRUSTED_NETWORKS")
        .hasMessageContaining("proxy.internal");
    assertThatThrownBy(() -> ProxyTrust.from(Settings.of(Map.of("STUDIO_PROXY_TRUSTED_NETWORKS", "10.0.0.0/33"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("STUDIO_PROXY_TRUSTED_NETWORKS");
  }

  @Test
  @DisplayName("two trusted hops pick the second value from the right; fewer values than hops are ignored")
  void twoHops(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_PROXY_FIX_ENABLED", "true", "STUDIO_PROXY_FIX_X_FOR", "2",
        "STUDIO_PROXY_FIX_X_PROTO", "2"));
    JsonObject seen = session(node, Map.of("X-Forwarded-For", "1.1.1.1, 198.51.100.7, 10.0.0.2",
        "X-Forwarded-Proto", "https"));
    assertThat(seen.getString("client_address")).isEqualTo("198.51.100.7");
    assertThat(seen.getString("scheme")).as("one proto value for two hops is not trusted").isEqualTo("http");
  }

  @Test
  @DisplayName("RFC 7239 Forwarded, when trusted, gives client, scheme and host")
  void rfc7239(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_PROXY_FIX_ENABLED", "true", "STUDIO_PROXY_FIX_FORWARDED", "1"));
    JsonObject seen = session(node, Map.of("Forwarded",
        "for=192.0.2.1;proto=http, for=\"[2001:db8::17]:4711\";proto=https;host=rt.example.org"));
    assertThat(seen.getString("client_address")).isEqualTo("2001:db8::17");
    assertThat(seen.getString("scheme")).isEqualTo("https");
    assertThat(seen.getString("host")).isEqualTo("rt.example.org");
  }

  @Test
  @DisplayName("a malformed forwarded host or prefix is ignored rather than echoed into URLs")
  void malformedValues(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_PROXY_FIX_ENABLED", "true"));
    JsonObject seen = session(node, Map.of("X-Forwarded-Host", "evil.example/<script>",
        "X-Forwarded-Prefix", "/a\"onload=x", "X-Forwarded-Proto", "javascript"));
    assertThat(seen.getString("host")).isEqualTo("127.0.0.1:" + node.port());
    assertThat(seen.getString("prefix")).isEmpty();
    assertThat(seen.getString("scheme")).isEqualTo("http");
  }

  @Test
  @DisplayName("redirects and the realtime URLs handed to pages use the external scheme, host and prefix")
  void generatedUrls(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_PROXY_FIX_ENABLED", "true"));
    Map<String, String> proxy = Map.of("X-Forwarded-Proto", "https", "X-Forwarded-Host", "studio.example.com",
        "X-Forwarded-Prefix", "/studio");

    HttpRequest<?> root = node.client().get("/");
    proxy.forEach(root::putHeader);
    HttpResponse<?> redirect = result(root.send());
    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(redirect.getHeader("Location")).isEqualTo("https://studio.example.com/studio/app/");

    HttpRequest<?> token = node.client().get("/api/v1/realtime/token");
    proxy.forEach(token::putHeader);
    JsonObject endpoints = result(token.send()).bodyAsJsonObject().getJsonObject("endpoints");
    assertThat(endpoints.getString("websocket")).isEqualTo("wss://studio.example.com/studio/rt/ws");
    assertThat(endpoints.getString("sockjs")).isEqualTo("https://studio.example.com/studio/rt/sockjs");
    assertThat(endpoints.getString("poll")).isEqualTo("https://studio.example.com/studio/rt/poll");
  }

  @Test
  @DisplayName("without a proxy, pages are told the hub's own port on the host they used")
  void directRealtimeUrl(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_HUB_PORT", "9181"));
    JsonObject endpoints = result(node.client().get("/api/v1/realtime/token").putHeader("Host", "localhost:" + node.port())
        .send()).bodyAsJsonObject().getJsonObject("endpoints");
    assertThat(endpoints.getString("websocket")).isEqualTo("ws://localhost:9181/rt/ws");
  }
}

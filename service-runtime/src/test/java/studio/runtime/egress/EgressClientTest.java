package studio.runtime.egress;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.runtime.config.Settings;

/**
 * The client against a real loopback server, with a resolver that answers only the names a test
 * maps and a dialer that dials loopback only (anything else is recorded, never connected to).
 */
class EgressClientTest {
  private Vertx vertx;
  private HttpServer server;
  private final List<String> hostHeaders = new CopyOnWriteArrayList<>();
  private final List<String> serverNames = new CopyOnWriteArrayList<>();
  private final List<String> lookups = new CopyOnWriteArrayList<>();
  private final List<String> dialed = new CopyOnWriteArrayList<>();
  private final List<String> notDialed = new CopyOnWriteArrayList<>();
  private final List<List<String>> answers = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private void listen(HttpServerOptions options) throws Exception {
    server = await(vertx.createHttpServer(options).requestHandler(request -> {
      hostHeaders.add(request.authority().toString());
      serverNames.add(String.valueOf(request.connection().indicatedServerName()));
      request.response().end("from the checked address");
    }).listen(0, "127.0.0.1"));
  }

  /** The resolver answers {@code name} with each answer in turn (the last repeats); nothing else resolves. */
  private EgressNetwork network(String name) {
    EgressResolver resolver = (unused, host) -> {
      lookups.add(host);
      if (!host.equals(name) || answers.isEmpty()) {
        return Future.failedFuture(new UnknownHostException(host));
      }
      List<String> answer = answers.size() > 1 ? answers.remove(0) : answers.get(0);
      return Future.succeededFuture(answer.stream().map(EgressClientTest::literal).toList());
    };
    EgressDialer dialer = (client, options) -> {
      String address = ((SocketAddress) options.getServer()).hostAddress();
      if (!literal(address).isLoopbackAddress()) {
        notDialed.add(address);
        return Future.failedFuture(new ConnectException(address + " not dialed"));
      }
      dialed.add(address);
      return client.request(options);
    };
    return new EgressNetwork(resolver, dialer);
  }

  private static InetAddress literal(String text) {
    try {
      return InetAddress.getByName(text.contains(":") ? "[" + text + "]" : text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private EgressClient client(HttpClient http, Map<String, String> knobs, String name) {
    return new EgressClient(vertx, http, new EgressPolicy(EgressConfig.from(Settings.of(knobs))), network(name));
  }

  /**
   * Begun on a Vert.x context, as the services do: begun on the test thread, the chain's callbacks
   * run on a context of their own and {@code body()} may come after the response ended, never to
   * complete (eclipse-vertx/vert.x#5904).
   */
  private Future<String> get(EgressClient client, String url) {
    Promise<String> answer = Promise.promise();
    vertx.runOnContext(start -> client.request(URI.create(url), new RequestOptions().setMethod(HttpMethod.GET))
        .compose(HttpClientRequest::send)
        .compose(response -> response.body().map(body -> response.statusCode() + " " + body))
        .onComplete(answer));
    return answer.future();
  }

  @Test
  @DisplayName("a name is resolved once, checked, and the connection goes to that address with the name as Host")
  void connectsToTheCheckedAddress() throws Exception {
    listen(new HttpServerOptions());
    answers.add(List.of("127.0.0.1"));
    EgressClient client = client(vertx.createHttpClient(), Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8"), "models.test");

    assertThat(await(get(client, "http://models.test:" + server.actualPort() + "/v1"))).isEqualTo("200 from the checked address");
    assertThat(lookups).containsExactly("models.test");
    assertThat(dialed).containsExactly("127.0.0.1");
    assertThat(hostHeaders).containsExactly("models.test:" + server.actualPort());
  }

  @Test
  @DisplayName("DNS rebinding: an answer that turns private after the check is never dialed; the next request is refused")
  void rebindingHasNoWindow() throws Exception {
    listen(new HttpServerOptions());
    answers.add(List.of("127.0.0.1"));
    answers.add(List.of("169.254.169.254"));
    EgressClient client = client(vertx.createHttpClient(), Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8"), "rebind.test");
    String url = "http://rebind.test:" + server.actualPort() + "/";

    assertThat(await(get(client, url))).isEqualTo("200 from the checked address");
    Throwable refused = get(client, url).toCompletionStage().toCompletableFuture().handle((ok, failure) -> failure).get();

    assertThat(refused).isInstanceOf(EgressDenied.class).hasMessageContaining("169.254.169.254");
    assertThat(lookups).containsExactly("rebind.test", "rebind.test");
    assertThat(dialed).containsExactly("127.0.0.1");
    assertThat(notDialed).isEmpty();
  }

  @Test
  @DisplayName("of several answers the first allowed one is dialed; refused ones never are")
  void picksAnAllowedAnswer() throws Exception {
    listen(new HttpServerOptions());
    answers.add(List.of("10.0.0.5", "169.254.169.254", "127.0.0.1"));
    EgressClient client = client(vertx.createHttpClient(), Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8"), "multi.test");
    assertThat(await(get(client, "http://multi.test:" + server.actualPort() + "/"))).startsWith("200");
    assertThat(dialed).containsExactly("127.0.0.1");
    assertThat(notDialed).isEmpty();
  }

  @Test
  @DisplayName("https: the TLS handshake sends the name as SNI and verifies the certificate against the name, not the address")
  void tlsUsesTheName() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("models.test");
    listen(new HttpServerOptions().setSsl(true).setSni(true).setKeyCertOptions(certificate.keyCertOptions()));
    answers.add(List.of("127.0.0.1"));
    HttpClient https = vertx.createHttpClient(new HttpClientOptions().setTrustOptions(certificate.trustOptions())
        .setVerifyHost(true));
    EgressClient client = client(https, Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8"), "models.test");

    assertThat(await(get(client, "https://models.test:" + server.actualPort() + "/"))).startsWith("200");
    assertThat(serverNames).containsExactly("models.test");
    assertThat(dialed).containsExactly("127.0.0.1");
  }

  @Test
  @DisplayName("a literal is read, not looked up: loopback in decimal or IPv6-mapped form is refused without a dial")
  void literalsAreDecidedWithoutLookup() throws Exception {
    listen(new HttpServerOptions());
    EgressClient client = client(vertx.createHttpClient(), Map.of(), "none");
    for (String host : List.of("127.0.0.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]", "[::1]")) {
      Throwable refused = get(client, "http://" + host + ":" + server.actualPort() + "/").toCompletionStage()
          .toCompletableFuture().handle((ok, failure) -> failure).get();
      assertThat(refused).as(host).isInstanceOf(EgressDenied.class)
          .hasMessageStartingWith("egress_denied: http://" + host).hasMessageContaining("loopback");
    }
    assertThat(lookups).isEmpty();
    assertThat(dialed).isEmpty();
    assertThat(hostHeaders).isEmpty();
  }
}

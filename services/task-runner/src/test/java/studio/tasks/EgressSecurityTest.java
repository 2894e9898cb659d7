package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import studio.runtime.egress.EgressConfig;
import studio.tasks.support.TaskDatabase;
import studio.tasks.support.TaskFixture;
import studio.taskstore.Signals;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskStatus;
import studio.testsupport.egress.FakeNetwork;
import studio.testsupport.egress.FakeNetwork.Dial;

/**
 * SSRF attacks on the http executor, with the default egress knobs unless a test opens something.
 * Names resolve only through the test network, which dials loopback and nothing else, so even a
 * broken policy never connects beyond this machine; the loopback server counts what reached it.
 */
class EgressSecurityTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();
  private Vertx runnerVertx;
  private HttpServer server;
  private final FakeNetwork network = new FakeNetwork();
  /** Paths the loopback server answered, with the Host header they came with. */
  private final List<String> reached = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    server = TaskDatabase.await(fixture.vertx().createHttpServer().requestHandler(request -> {
      reached.add(request.authority().host() + " " + request.path());
      String location = request.getParam("to");
      if (location != null) {
        request.response().setStatusCode(302).putHeader("Location", location).end();
      } else {
        request.response().end("internal secret");
      }
    }).listen(0, "127.0.0.1"));
  }

  private void runner(Map<String, Object> knobs) {
    runnerVertx = fixture.runner(knobs, network.network());
  }

  private TaskRow run(String url, int maxAttempts) {
    TaskRow task = fixture.db().enqueue(new JsonObject().put("executor", "http").put("max_attempts", maxAttempts)
        .put("params", new JsonObject().put("url", url)));
    Signals.wake(runnerVertx);
    return fixture.db().awaitTask(task.id(), row -> row.status().terminal());
  }

  private int port() {
    return server.actualPort();
  }

  /** The task failed for good with egress_denied naming {@code address} and the knob; nothing reached the server. */
  private static void assertRefused(TaskRow done, String address) {
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error()).startsWith("egress_denied: ").contains(address, EgressConfig.ALLOWED_NETWORKS);
    assertThat(done.attempts()).as("refusals are not retried").isEqualTo(1);
  }

  @Test
  @DisplayName("cloud metadata: a name resolving to 169.254.169.254 is refused and never dialed")
  void metadata() {
    network.answer("metadata.test", "169.254.169.254");
    runner(Map.of());
    assertRefused(run("http://metadata.test/latest/meta-data/iam/security-credentials/", 3), "169.254.169.254");
    assertThat(network.lookups()).containsExactly("metadata.test");
    assertThat(network.dials()).isEmpty();
  }

  @ParameterizedTest(name = "private address {0} is refused and never dialed")
  @ValueSource(strings = {"10.0.0.5", "172.16.3.4", "192.168.1.20", "100.64.0.9", "fd00::5", "fe80::1", "0.0.0.0"})
  void privateAddresses(String address) {
    network.answer("intranet.test", address);
    runner(Map.of());
    assertRefused(run("http://intranet.test/admin", 3), address.equals("fd00::5") ? "fd00:0:0:0:0:0:0:5"
        : address.equals("fe80::1") ? "fe80:0:0:0:0:0:0:1" : address);
    assertThat(network.dials()).isEmpty();
  }

  @ParameterizedTest(name = "loopback spelled {0} is refused; the local server sees nothing")
  @ValueSource(strings = {"127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]"})
  void loopbackInAnySpelling(String host) {
    runner(Map.of());
    TaskRow done = run("http://" + host + ":" + port() + "/api/v1/infrastructure/health/full", 3);
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error()).startsWith("egress_denied: ").contains("loopback", EgressConfig.ALLOWED_NETWORKS);
    assertThat(reached).isEmpty();
    assertThat(network.dials()).isEmpty();
  }

  @Test
  @DisplayName("a redirect to metadata or to loopback is refused at that hop; only the allowed first hop was dialed")
  void redirectToPrivate() {
    network.answer("redirector.test", "127.0.0.1").answer("metadata.test", "169.254.169.254");
    runner(Map.of(EgressConfig.ALLOWED_HOSTS, "redirector.test"));

    assertRefused(run("http://redirector.test:" + port() + "/hop?to=http://metadata.test/latest/", 1), "169.254.169.254");
    assertRefused(run("http://redirector.test:" + port() + "/hop?to=http://127.0.0.1:" + port() + "/secret", 1), "127.0.0.1");

    assertThat(reached).containsExactly("redirector.test /hop", "redirector.test /hop");
    assertThat(network.dials()).extracting(Dial::address).containsExactly("127.0.0.1", "127.0.0.1");
  }

  @Test
  @DisplayName("DNS rebinding: the connection goes to the address that was checked; the later private answer is refused")
  void rebinding() {
    // First lookup public (the test network records it and does not dial it), every later one metadata.
    network.answer("rebind.test", "203.0.113.7").answer("rebind.test", "169.254.169.254");
    runner(Map.of());
    TaskRow done = run("http://rebind.test/latest/meta-data/", 2);

    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.error()).startsWith("egress_denied: ").contains("169.254.169.254");
    assertThat(network.lookups()).as("one lookup per attempt").containsExactly("rebind.test", "rebind.test");
    assertThat(network.dials()).containsExactly(new Dial("rebind.test", "203.0.113.7", 80, false));
  }

  @Test
  @DisplayName("allowed networks still work: an opened loopback block is reached by address and by name, Host kept")
  void allowedNetworksWork() {
    network.answer("models.test", "127.0.0.1");
    runner(Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8"));

    TaskRow byAddress = run("http://127.0.0.1:" + port() + "/v1/models", 1);
    TaskRow byName = run("http://models.test:" + port() + "/v1/models", 1);
    TaskRow redirected = run("http://models.test:" + port() + "/hop?to=/v1/after-redirect", 1);

    assertThat(List.of(byAddress, byName, redirected)).extracting(TaskRow::status).containsOnly(TaskStatus.SUCCEEDED);
    assertThat(byName.result().getString("body")).isEqualTo("internal secret");
    assertThat(reached).containsExactly("127.0.0.1 /v1/models", "models.test /v1/models", "models.test /hop",
        "models.test /v1/after-redirect");
  }

  @Test
  @DisplayName("an allowed host opens that name only: another name for the same address is still refused")
  void allowedHostsOpenOnlyThemselves() {
    network.answer("models.test", "127.0.0.1").answer("other.test", "127.0.0.1");
    runner(Map.of(EgressConfig.ALLOWED_HOSTS, "models.test"));

    assertThat(run("http://models.test:" + port() + "/ok", 1).status()).isEqualTo(TaskStatus.SUCCEEDED);
    TaskRow other = run("http://other.test:" + port() + "/no", 1);
    assertThat(other.error()).startsWith("egress_denied: ").contains("other.test to " + EgressConfig.ALLOWED_HOSTS);
    assertThat(reached).containsExactly("models.test /ok");
  }
}

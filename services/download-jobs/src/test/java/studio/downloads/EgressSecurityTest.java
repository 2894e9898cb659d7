package studio.downloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static studio.downloads.support.DownloadService.join;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import studio.downloads.support.DownloadService;
import studio.downloads.support.FileServer.Served;
import studio.downloads.support.FileServer;
import studio.runtime.egress.EgressConfig;
import studio.testsupport.egress.FakeNetwork.Dial;
import studio.testsupport.egress.FakeNetwork;

/**
 * SSRF attacks on download jobs, with the default egress knobs unless a test opens something. Names
 * resolve only through the test network, which dials loopback and nothing else, so even a broken
 * policy never connects beyond this machine; the loopback file server records what reached it.
 */
@ExtendWith(VertxExtension.class)
class EgressSecurityTest {
  private FileServer server;
  private DownloadService service;
  private final FakeNetwork network = new FakeNetwork();
  private Buffer secret;
  @TempDir
  Path temp;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    server = join(new FileServer(vertx).start());
    secret = server.file("secret.bin", 1000);
    // The HuggingFace endpoint is trusted as configured; these tests never contact it.
    service = new DownloadService(vertx, temp.resolve("workspace"), "https://hf.invalid")
        .with(EgressConfig.ALLOWED_NETWORKS, "").network(network.network());
  }

  @AfterEach
  void tearDown() throws Exception {
    join(server.stop());
  }

  private int port() {
    return Integer.parseInt(server.endpoint().substring(server.endpoint().lastIndexOf(':') + 1));
  }

  private JsonObject download(String url) throws Exception {
    long id = service.submit(new JsonObject().put("files", new JsonArray()
        .add(new JsonObject().put("url", url).put("path", "x.bin"))));
    await().atMost(Duration.ofSeconds(60)).until(() -> List.of("succeeded", "failed").contains(service.status(id)));
    return service.job(id);
  }

  /** Failed for good with egress_denied naming {@code address} and the knob, and nothing was written. */
  private void assertRefused(JsonObject job, String address) {
    assertThat(job.getString("status")).isEqualTo("failed");
    assertThat(job.getString("error")).startsWith("egress_denied: ").contains(address, EgressConfig.ALLOWED_NETWORKS);
    assertThat(service.workspace().resolve("x.bin")).doesNotExist();
  }

  @Test
  @DisplayName("cloud metadata: a name resolving to 169.254.169.254 is refused and never dialed")
  void metadata() throws Exception {
    network.answer("metadata.test", "169.254.169.254");
    service.deploy();
    assertRefused(download("http://metadata.test/latest/meta-data/iam/security-credentials/role"), "169.254.169.254");
    assertThat(network.lookups()).as("refused once, not retried").containsExactly("metadata.test");
    assertThat(network.dials()).isEmpty();
  }

  @ParameterizedTest(name = "private address {0} is refused and never dialed")
  @ValueSource(strings = {"10.0.0.5", "172.16.3.4", "192.168.1.20", "100.64.0.9", "fd00::5"})
  void privateAddresses(String address) throws Exception {
    network.answer("intranet.test", address);
    service.deploy();
    assertRefused(download("http://intranet.test/backup.tar"), address.equals("fd00::5") ? "fd00:0:0:0:0:0:0:5" : address);
    assertThat(network.dials()).isEmpty();
  }

  @ParameterizedTest(name = "loopback spelled {0} is refused; the local server sees nothing")
  @ValueSource(strings = {"127.0.0.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]", "[::1]"})
  void loopbackInAnySpelling(String host) throws Exception {
    service.deploy();
    JsonObject job = download("http://" + host + ":" + port() + "/files/secret.bin");
    assertThat(job.getString("status")).isEqualTo("failed");
    assertThat(job.getString("error")).startsWith("egress_denied: ").contains("loopback", EgressConfig.ALLOWED_NETWORKS);
    assertThat(server.served()).isEmpty();
    assertThat(network.dials()).isEmpty();
    assertThat(service.workspace().resolve("x.bin")).doesNotExist();
  }

  @Test
  @DisplayName("a redirect to metadata or to loopback is refused at that hop; only the allowed first hop was dialed")
  void redirectToPrivate() throws Exception {
    network.answer("redirector.test", "127.0.0.1").answer("metadata.test", "169.254.169.254");
    service.with(EgressConfig.ALLOWED_HOSTS, "redirector.test").deploy();

    assertRefused(download("http://redirector.test:" + port() + "/hop?to=http://metadata.test/latest/"), "169.254.169.254");
    assertRefused(download("http://redirector.test:" + port() + "/hop?to=http://127.0.0.1:" + port() + "/files/secret.bin"),
        "127.0.0.1");

    assertThat(server.served()).extracting(Served::path).containsExactly("/hop", "/hop");
    assertThat(network.dials()).extracting(Dial::address).containsExactly("127.0.0.1", "127.0.0.1");
  }

  @Test
  @DisplayName("DNS rebinding: the connection goes to the address that was checked; the later private answer is refused")
  void rebinding() throws Exception {
    // First lookup public (recorded by the test network, not dialed), every later one metadata.
    network.answer("rebind.test", "203.0.113.7").answer("rebind.test", "169.254.169.254");
    service.deploy();
    JsonObject job = download("http://rebind.test/latest/meta-data/");

    assertRefused(job, "169.254.169.254");
    assertThat(network.lookups()).as("one lookup per attempt").containsExactly("rebind.test", "rebind.test");
    assertThat(network.dials()).containsExactly(new Dial("rebind.test", "203.0.113.7", 80, false));
  }

  @Test
  @DisplayName("allowed networks still work: an opened loopback block is downloaded from by name, through a redirect")
  void allowedNetworksWork() throws Exception {
    network.answer("mirror.test", "127.0.0.1");
    service.with(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8").deploy();

    JsonObject job = download("http://mirror.test:" + port() + "/hop?to=/files/secret.bin");

    assertThat(job.getString("status")).as(job.getString("error")).isEqualTo("succeeded");
    assertThat(Files.readAllBytes(service.workspace().resolve("x.bin"))).isEqualTo(secret.getBytes());
    assertThat(network.dials()).extracting(Dial::host, Dial::address)
        .containsOnly(Tuple.tuple("mirror.test", "127.0.0.1"));
  }

  @Test
  @DisplayName("the configured HuggingFace endpoint is trusted as configured; another port on the same host is not")
  void huggingFaceEndpointTrusted(Vertx vertx) throws Exception {
    server.repo("org/tiny", "main", Map.of("config.json", Buffer.buffer("{}")));
    service = new DownloadService(vertx, temp.resolve("hf-workspace"), server.endpoint())
        .with(EgressConfig.ALLOWED_NETWORKS, "").network(network.network());
    service.deploy();

    long id = service.submit(new JsonObject().put("huggingface", new JsonObject().put("repo_id", "org/tiny")));
    await().atMost(Duration.ofSeconds(60)).until(() -> List.of("succeeded", "failed").contains(service.status(id)));
    assertThat(service.job(id).getString("status")).as(service.job(id).getString("error")).isEqualTo("succeeded");

    FileServer other = join(new FileServer(vertx).start());
    try {
      other.file("secret.bin", 10);
      assertRefused(download(other.url("/files/secret.bin")), "127.0.0.1");
      assertThat(other.served()).isEmpty();
    } finally {
      join(other.stop());
    }
  }
}

package studio.runtime.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

/** The decision alone: which addresses a user-supplied URL may reach, and how a URL host is read. */
class EgressPolicyTest {
  private static final URI NAMED = URI.create("http://files.example/model.bin");
  private final EgressPolicy defaults = new EgressPolicy(EgressConfig.PUBLIC_ONLY);

  private static InetAddress ip(String literal) throws Exception {
    return SpecialAddresses.normalise(InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal));
  }

  private static EgressPolicy policy(Map<String, String> knobs) {
    return new EgressPolicy(EgressConfig.from(Settings.of(knobs)));
  }

  @ParameterizedTest(name = "{0} is refused by default")
  @ValueSource(strings = {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
      "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "255.255.255.255", "224.0.0.251", "240.0.0.1",
      "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "fec0::1",
      "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:a00:1", "::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::"})
  void refusesSpecialAddresses(String address) throws Exception {
    assertThat(defaults.refusal(NAMED, ip(address))).isPresent();
  }

  @ParameterizedTest(name = "{0} is public")
  @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2606:4700::1111",
      "::ffff:8.8.8.8", "64:ff9b::808:808"})
  void allowsPublicAddresses(String address) throws Exception {
    assertThat(defaults.refusal(NAMED, ip(address))).isEmpty();
  }

  @Test
  @DisplayName("IPv4-mapped and -compatible IPv6 addresses are decided (and dialed) as the IPv4 address they name")
  void normalisesMappedAddresses() throws Exception {
    assertThat(SpecialAddresses.normalise(InetAddress.getByName("[::7f00:1]")).getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(SpecialAddresses.normalise(InetAddress.getByName("[::ffff:a9fe:a9fe]")).getHostAddress())
        .isEqualTo("169.254.169.254");
    assertThat(SpecialAddresses.normalise(InetAddress.getByName("[::1]")).getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
  }

  @Test
  @DisplayName("the refusal names the address, what it is, and the knobs that would allow it")
  void refusalNamesAddressAndKnob() throws Exception {
    assertThat(defaults.refusal(URI.create("http://metadata.test/latest"), ip("169.254.169.254"))).get().asString()
        .contains("resolves to 169.254.169.254", "link-local", "169.254.0.0/16", "STUDIO_EGRESS_ALLOWED_NETWORKS",
            "metadata.test to STUDIO_EGRESS_ALLOWED_HOSTS");
    assertThat(defaults.refusal(URI.create("http://127.0.0.1:8080/"), ip("127.0.0.1"))).get().asString()
        .contains("is 127.0.0.1", "loopback", "STUDIO_EGRESS_ALLOWED_NETWORKS").doesNotContain("ALLOWED_HOSTS");
  }

  @Test
  @DisplayName("STUDIO_EGRESS_ALLOWED_NETWORKS opens exactly its blocks, in either address family")
  void allowedNetworks() throws Exception {
    EgressPolicy policy = policy(Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8, 10.1.0.0/16,fd00::/8"));
    assertThat(policy.refusal(NAMED, ip("127.0.0.1"))).isEmpty();
    assertThat(policy.refusal(NAMED, ip("::ffff:127.0.0.2"))).isEmpty();
    assertThat(policy.refusal(NAMED, ip("10.1.200.3"))).isEmpty();
    assertThat(policy.refusal(NAMED, ip("fd00::5"))).isEmpty();
    assertThat(policy.refusal(NAMED, ip("10.2.0.1"))).isPresent();
    assertThat(policy.refusal(NAMED, ip("169.254.169.254"))).isPresent();
    assertThat(policy.refusal(NAMED, ip("::1"))).isPresent();
  }

  @Test
  @DisplayName("STUDIO_EGRESS_ALLOWED_HOSTS opens a host (or those below *.domain) whatever it resolves to, and no other")
  void allowedHosts() throws Exception {
    EgressPolicy policy = policy(Map.of(EgressConfig.ALLOWED_HOSTS, "models.internal,*.corp.example"));
    assertThat(policy.refusal(URI.create("http://models.internal:8000/v1"), ip("10.0.0.7"))).isEmpty();
    assertThat(policy.refusal(URI.create("http://MODELS.internal./v1"), ip("10.0.0.7"))).isEmpty();
    assertThat(policy.refusal(URI.create("https://a.b.corp.example/"), ip("192.168.0.2"))).isEmpty();
    assertThat(policy.refusal(URI.create("https://corp.example/"), ip("192.168.0.2"))).isPresent();
    assertThat(policy.refusal(URI.create("http://other.internal/"), ip("10.0.0.7"))).isPresent();
  }

  @Test
  @DisplayName("an operator-configured endpoint's origin is trusted as configured; the same host on another port is not")
  void trustedOrigin() throws Exception {
    EgressPolicy policy = defaults.trusting(URI.create("http://127.0.0.1:9000"));
    assertThat(policy.refusal(URI.create("http://127.0.0.1:9000/api/models/x"), ip("127.0.0.1"))).isEmpty();
    assertThat(policy.refusal(URI.create("http://127.0.0.1:9001/"), ip("127.0.0.1"))).isPresent();
    assertThat(policy.refusal(URI.create("https://127.0.0.1:9000/"), ip("127.0.0.1"))).isPresent();
  }

  @ParameterizedTest(name = "{0} is refused whatever its address")
  @ValueSource(strings = {"file:///etc/passwd", "ftp://files.example/x", "gopher://files.example:70/", "jar:http://x/!/"})
  void onlyHttpAndHttps(String url) throws Exception {
    assertThat(defaults.refusal(URI.create(url))).get().asString().contains("only http and https");
  }

  @ParameterizedTest(name = "host {0} is the address {1}")
  @CsvSource({"2130706433,127.0.0.1", "0x7f000001,127.0.0.1", "0177.0.0.1,127.0.0.1", "127.1,127.0.0.1",
      "0x7f.1,127.0.0.1", "0xa9.0xfe.0xa9.0xfe,169.254.169.254", "2852039166,169.254.169.254", "10.0.0.1.,10.0.0.1",
      "[::ffff:127.0.0.1],127.0.0.1", "[::1],0:0:0:0:0:0:0:1", "[fe80::1],fe80:0:0:0:0:0:0:1"})
  void readsIpLiterals(String host, String address) {
    assertThat(IpLiteral.parse(host)).get().extracting(found -> SpecialAddresses.normalise(found).getHostAddress())
        .isEqualTo(address);
  }

  @ParameterizedTest(name = "host {0} is a name to resolve")
  @ValueSource(strings = {"localhost", "example.com", "1.example", "0x7f.example", "metadata.google.internal"})
  void namesAreNotLiterals(String host) {
    assertThat(IpLiteral.parse(host)).isEmpty();
  }

  @ParameterizedTest(name = "host {0} ends in a number but is no address: refused, not looked up")
  @ValueSource(strings = {"256.0.0.1", "1.2.3.4.5", "example.123", "08.0.0.1", "4294967296", "1..2", "[not:v6]"})
  void badNumericHostsAreRefused(String host) {
    assertThatThrownBy(() -> IpLiteral.parse(host)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a malformed network or host in the knobs fails at startup naming the knob")
  void badKnobs() {
    assertThatThrownBy(() -> policy(Map.of(EgressConfig.ALLOWED_NETWORKS, "10.0.0.0/8,localhost")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("invalid config STUDIO_EGRESS_ALLOWED_NETWORKS=");
    assertThatThrownBy(() -> policy(Map.of(EgressConfig.ALLOWED_NETWORKS, "10.0.0.0/33")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> policy(Map.of(EgressConfig.ALLOWED_NETWORKS, "127.1/8"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> policy(Map.of(EgressConfig.ALLOWED_HOSTS, "http://models.internal")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("invalid config STUDIO_EGRESS_ALLOWED_HOSTS=");
  }

  @Test
  @DisplayName("by default nothing is opened")
  void defaultsOpenNothing() {
    EgressConfig config = EgressConfig.from(Settings.of(Map.of()));
    assertThat(config.allowedNetworks()).isEmpty();
    assertThat(config.allowedHosts().isEmpty()).isTrue();
  }
}

package studio.web.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrustedNetworksTest {

  @Test
  @DisplayName("the default trusts loopback only, IPv4 and IPv6")
  void loopbackByDefault() {
    assertThat(TrustedNetworks.LOOPBACK.contains("127.0.0.1")).isTrue();
    assertThat(TrustedNetworks.LOOPBACK.contains("127.9.8.7")).isTrue();
    assertThat(TrustedNetworks.LOOPBACK.contains("::1")).isTrue();
    assertThat(TrustedNetworks.LOOPBACK.contains("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(TrustedNetworks.LOOPBACK.contains("10.0.0.5")).isFalse();
    assertThat(TrustedNetworks.LOOPBACK.contains("172.18.0.3")).isFalse();
    assertThat(TrustedNetworks.LOOPBACK.contains("fe80::1")).isFalse();
  }

  @Test
  @DisplayName("blocks match by prefix; a bare address is a block of one; host bits of an entry are ignored")
  void blocks() {
    TrustedNetworks networks = TrustedNetworks.parse(List.of("10.1.2.0/24", "192.0.2.7", "fd00::/8", "172.16.5.9/12"));
    assertThat(networks.contains("10.1.2.200")).isTrue();
    assertThat(networks.contains("10.1.3.1")).isFalse();
    assertThat(networks.contains("192.0.2.7")).isTrue();
    assertThat(networks.contains("192.0.2.8")).isFalse();
    assertThat(networks.contains("fd12:3456::1")).isTrue();
    assertThat(networks.contains("fe00::1")).isFalse();
    assertThat(networks.contains("172.31.255.1")).isTrue();
    assertThat(networks.contains("::ffff:10.1.2.3")).as("an IPv4-mapped peer is its IPv4 address").isTrue();
  }

  @Test
  @DisplayName("a peer that is no address (unix socket, missing, a name) is never trusted")
  void noAddress() {
    TrustedNetworks everything = TrustedNetworks.parse(List.of("0.0.0.0/0", "::/0"));
    assertThat(everything.contains(null)).isFalse();
    assertThat(everything.contains("localhost")).isFalse();
    assertThat(everything.contains("1.2.3.4")).isTrue();
  }

  @Test
  @DisplayName("names, bad prefixes and short forms are refused, naming the entry")
  void refusals() {
    assertThatThrownBy(() -> TrustedNetworks.parse(List.of("proxy.internal"))).hasMessageContaining("proxy.internal");
    assertThatThrownBy(() -> TrustedNetworks.parse(List.of("10.0.0.0/33"))).hasMessageContaining("0-32");
    assertThatThrownBy(() -> TrustedNetworks.parse(List.of("::1/129"))).hasMessageContaining("0-128");
    assertThatThrownBy(() -> TrustedNetworks.parse(List.of("127.1"))).hasMessageContaining("127.1");
    assertThatThrownBy(() -> TrustedNetworks.parse(List.of("10.0.0.0/x"))).hasMessageContaining("10.0.0.0/x");
  }
}

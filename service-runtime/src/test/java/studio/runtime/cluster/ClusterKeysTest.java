package studio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClusterKeysTest {
  private static final String SECRET = "cluster-secret-0123456789abcdef0123456789";

  @Test
  @DisplayName("the same secret gives every process the same cluster name and byte-identical certificate")
  void deterministic() throws Exception {
    ClusterKeys first = ClusterKeys.derive("studio", SECRET);
    ClusterKeys second = ClusterKeys.derive("studio", SECRET);
    assertThat(second.clusterName()).isEqualTo(first.clusterName());
    assertThat(second.certificate().certificate().getEncoded()).isEqualTo(first.certificate().certificate().getEncoded());
  }

  @Test
  @DisplayName("another secret gives another cluster name and another key")
  void otherSecret() {
    ClusterKeys ours = ClusterKeys.derive("studio", SECRET);
    ClusterKeys theirs = ClusterKeys.derive("studio", SECRET + "x");
    assertThat(theirs.clusterName()).isNotEqualTo(ours.clusterName());
    assertThat(theirs.certificate().certificate().getPublicKey())
        .isNotEqualTo(ours.certificate().certificate().getPublicKey());
  }

  @Test
  @DisplayName("the cluster name is the prefix plus a hash that does not show the secret")
  void name() {
    String name = ClusterKeys.derive("studio", SECRET).clusterName();
    assertThat(name).matches("studio-[0-9a-f]{32}").doesNotContain(SECRET);
  }

  @Test
  @DisplayName("the certificate is a valid self-signed Ed25519 certificate over the stored key")
  void certificate() throws Exception {
    ClusterCertificate derived = ClusterCertificate.derive(SECRET);
    X509Certificate certificate = derived.certificate();
    certificate.verify(certificate.getPublicKey());
    certificate.checkValidity();
    assertThat(certificate.getSigAlgName()).isEqualTo("Ed25519");
    assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=studio-cluster");

    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(new ByteArrayInputStream(derived.keyStore().getBytes()), ClusterCertificate.STORE_PASSWORD.toCharArray());
    PrivateKey key = (PrivateKey) store.getKey("cluster", ClusterCertificate.STORE_PASSWORD.toCharArray());
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signer.sign())).as("the stored key matches the certificate").isTrue();
  }

  @Test
  @DisplayName("TLS survives the JSON copy the clustered event bus makes of its options: mutual, 1.3 only, our key and trust")
  void eventBusOptionsSurviveCopy() {
    // ClusteredEventBus builds its server and client from options.toJson(); anything lost there is off.
    NetServerOptions server = new NetServerOptions(ClusterKeys.derive("studio", SECRET).eventBusOptions().toJson());
    assertThat(server.isSsl()).isTrue();
    assertThat(server.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(server.getEnabledSecureTransportProtocols()).containsExactly("TLSv1.3");
    assertThat(server.getKeyCertOptions()).isInstanceOf(PfxOptions.class);
    assertThat(((PfxOptions) server.getKeyCertOptions()).getValue()).isNotNull();
    assertThat(server.getTrustOptions()).isInstanceOf(PemTrustOptions.class);
    assertThat(((PemTrustOptions) server.getTrustOptions()).getCertValues()).hasSize(1);
  }
}

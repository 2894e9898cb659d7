package studio.runtime.cluster;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import studio.runtime.auth.Hkdf;
import java.util.Set;

/**
 * What admits a process to the cluster, both derived from the cluster secret. Hazelcast refuses a
 * member whose cluster name differs, but the name travels in clear text, so it only keeps out those
 * who never had the secret. The event bus, which carries the messages, runs over mutual TLS with the
 * derived certificate: a process without the secret can neither send to a member nor be sent to.
 */
public record ClusterKeys(String clusterName, ClusterCertificate certificate) {
  private static final String NAME_INFO = "studio cluster name v1";
  private static final byte[] SALT = "studio cluster v1".getBytes(StandardCharsets.UTF_8);

  /** {@code namePrefix} (STUDIO_CLUSTER_NAME) keeps deployments that share a secret apart. */
  public static ClusterKeys derive(String namePrefix, String secret) {
    String suffix = HexFormat.of().formatHex(fromSecret(secret, NAME_INFO, 16));
    return new ClusterKeys(namePrefix + "-" + suffix, ClusterCertificate.derive(secret));
  }

  /** {@code length} bytes for one use ({@code info}) of the cluster secret, independent of every other use. */
  static byte[] fromSecret(String secret, String info, int length) {
    return Hkdf.derive(SALT, secret.getBytes(StandardCharsets.UTF_8), info.getBytes(StandardCharsets.UTF_8), length);
  }

  /** TLS 1.3 both ways; each side presents the derived certificate and accepts only it. */
  EventBusOptions eventBusOptions() {
    return new EventBusOptions()
        .setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
        .setKeyCertOptions(new PfxOptions().setValue(certificate.keyStore()).setPassword(ClusterCertificate.STORE_PASSWORD))
        .setTrustOptions(new PemTrustOptions().addCertValue(certificate.pem()));
  }
}

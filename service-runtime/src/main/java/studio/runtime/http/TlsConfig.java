package studio.runtime.http;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

/**
 * Optional direct TLS on a service's own port (TLS end to end, or no proxy at all): PEM certificate
 * chain and key, and an optional CA whose client certificates are then required. HTTP/2 is
 * negotiated with ALPN whenever TLS is on.
 */
public record TlsConfig(Optional<Path> certificate, Optional<Path> key, Optional<Path> clientCa) {
  public static final String CERT = "STUDIO_TLS_CERT";
  public static final String KEY = "STUDIO_TLS_KEY";
  public static final String CLIENT_CA = "STUDIO_TLS_CLIENT_CA";
  public static final TlsConfig OFF = new TlsConfig(Optional.empty(), Optional.empty(), Optional.empty());

  public static TlsConfig from(Settings settings) {
    Optional<Path> certificate = readable(settings, CERT);
    Optional<Path> key = readable(settings, KEY);
    if (certificate.isPresent() != key.isPresent()) {
      throw new ConfigException("invalid config: " + CERT + " and " + KEY
          + " go together (set both for direct TLS, or neither)");
    }
    Optional<Path> clientCa = readable(settings, CLIENT_CA);
    if (clientCa.isPresent() && certificate.isEmpty()) {
      throw new ConfigException("invalid config: " + CLIENT_CA + " needs " + CERT + " and " + KEY);
    }
    return new TlsConfig(certificate, key, clientCa);
  }

  public boolean enabled() {
    return certificate.isPresent();
  }

  public String scheme() {
    return enabled() ? "https" : "http";
  }

  public HttpServerOptions apply(HttpServerOptions options) {
    if (!enabled()) {
      return options;
    }
    options.setSsl(true).setUseAlpn(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate.get().toString())
            .setKeyPath(key.get().toString()));
    clientCa.ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
        .setClientAuth(ClientAuth.REQUIRED));
    return options;
  }

  private static Optional<Path> readable(Settings settings, String knob) {
    return settings.optional(knob).map(value -> {
      Path path = Path.of(value);
      if (!Files.isReadable(path)) {
        throw ConfigException.invalid(knob, value, "a readable PEM file");
      }
      return path;
    });
  }
}

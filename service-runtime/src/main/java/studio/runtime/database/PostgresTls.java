package studio.runtime.database;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.postgresql.ds.PGSimpleDataSource;
import studio.runtime.config.ConfigException;

/**
 * The TLS settings of {@code DATABASE_URL} ({@code sslmode}, {@code sslrootcert}, as libpq names them),
 * read once and given alike to the reactive pool and to Flyway's JDBC driver, so the two can never
 * connect differently. libpq's meaning throughout: {@code allow}, {@code prefer} and {@code require}
 * encrypt without checking the server's certificate, except that {@code require} with a root
 * certificate checks it like {@code verify-ca}; {@code verify-ca} checks the chain up to the root
 * certificate, {@code verify-full} also the host name. Unset is {@code disable}, the pool's default.
 */
record PostgresTls(SslMode mode, String rootCertificate) {
  static final String SSL_MODE = "sslmode";
  static final String ROOT_CERTIFICATE = "sslrootcert";

  /** Refuses an {@code sslmode} libpq does not know, before the URL parser turns it into a vaguer error. */
  static void checkMode(String url) {
    String mode = queryParameter(url, SSL_MODE);
    if (mode != null && Arrays.stream(SslMode.values()).noneMatch(known -> known.value.equals(mode))) {
      throw new ConfigException("invalid config " + DatabaseConfig.URL + ": " + SSL_MODE + "=\"" + mode
          + "\": expected one of disable, allow, prefer, require, verify-ca, verify-full");
    }
  }

  static PostgresTls of(String url, PgConnectOptions parsed) {
    String rootCertificate = queryParameter(url, ROOT_CERTIFICATE);
    SslMode mode = parsed.getSslMode() == SslMode.REQUIRE && rootCertificate != null ? SslMode.VERIFY_CA : parsed.getSslMode();
    if ((mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL) && rootCertificate == null) {
      throw new ConfigException("invalid config " + DatabaseConfig.URL + ": " + SSL_MODE + "=" + mode.value
          + " needs " + ROOT_CERTIFICATE + "=<path of the PEM certificate that signed the server's>");
    }
    return new PostgresTls(mode, rootCertificate);
  }

  void applyTo(PgConnectOptions options) {
    options.setSslMode(mode);
    ClientSSLOptions ssl = new ClientSSLOptions();
    switch (mode) {
      case DISABLE -> {
        return;
      }
      case ALLOW, PREFER -> ssl.setTrustAll(true);
      case REQUIRE, VERIFY_CA -> {
        if (rootCertificate == null) {
          ssl.setTrustAll(true);
        } else {
          ssl.setTrustOptions(new PemTrustOptions().addCertPath(rootCertificate));
        }
      }
      case VERIFY_FULL -> ssl.setTrustOptions(new PemTrustOptions().addCertPath(rootCertificate))
          .setHostnameVerificationAlgorithm("HTTPS");
    }
    options.setSslOptions(ssl);
  }

  void applyTo(PGSimpleDataSource source) {
    source.setSslMode(mode.value);
    if (rootCertificate != null) {
      source.setSslRootCert(rootCertificate);
    }
  }

  private static String queryParameter(String url, String name) {
    String query;
    try {
      query = URI.create(url).getRawQuery();
    } catch (IllegalArgumentException e) {
      return null;
    }
    return query == null ? null : Arrays.stream(query.split("&"))
        .filter(pair -> pair.startsWith(name + "="))
        .map(pair -> URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8))
        .findFirst().orElse(null);
  }
}

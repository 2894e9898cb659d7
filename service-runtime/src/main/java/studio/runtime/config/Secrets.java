package studio.runtime.config;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Secrets shared by every process of a deployment. {@code generated} names those made up for a
 * single-process development run; they do not survive a restart. Every secret, in every environment,
 * has at least {@link #MIN_LENGTH} characters: HS256 keys and passwords shorter than that fall to an
 * offline guess. {@code clusterSecret} admits a process to the clustered event bus
 * (docs/security.md "Cluster"); unset, it is the worker secret.
 */
public record Secrets(String jwtSecretKey, String workerSharedSecret, String clusterSecret, List<String> generated) {
  public static final String JWT_SECRET_KEY = "JWT_SECRET_KEY";
  public static final String WORKER_SHARED_SECRET = "WORKER_SHARED_SECRET";
  public static final String CLUSTER_SECRET = "STUDIO_CLUSTER_SECRET";
  public static final int MIN_LENGTH = 32;

  public Secrets {
    generated = List.copyOf(generated);
  }

  /**
   * Production, and any clustered run (whose processes must agree on one secret), require both
   * secrets; a single development process generates throw-away ones.
   */
  public static Secrets from(Settings settings, StudioEnvironment env, boolean clustered) {
    boolean required = env == StudioEnvironment.PRODUCTION || clustered;
    String why = env == StudioEnvironment.PRODUCTION
        ? "required when STUDIO_ENV=production (generate one with: openssl rand -hex 32)"
        : "required with --cluster, so every process signs and checks with the same secret (openssl rand -hex 32)";
    List<String> generated = new ArrayList<>();
    String jwt = read(settings, JWT_SECRET_KEY, required, why, generated);
    String worker = read(settings, WORKER_SHARED_SECRET, required, why, generated);
    // A separate cluster secret lets HTTP producers hold the worker secret without joining the bus.
    String cluster = settings.optional(CLUSTER_SECRET).isPresent()
        ? read(settings, CLUSTER_SECRET, false, why, generated) : worker;
    return new Secrets(jwt, worker, cluster, generated);
  }

  private static String read(Settings settings, String knob, boolean required, String why, List<String> generated) {
    var value = settings.optional(knob);
    if (value.isEmpty()) {
      if (required) {
        throw ConfigException.missing(knob, why);
      }
      generated.add(knob);
      return randomHex();
    }
    return checkLength(knob, value.get());
  }

  /** The value when it is long enough; otherwise one line naming the knob and the length, never the value. */
  public static String checkLength(String knob, String value) {
    if (value.length() < MIN_LENGTH) {
      throw ConfigException.invalid(knob, "<" + value.length() + " characters>",
          "a secret of at least " + MIN_LENGTH + " characters (generate one with: openssl rand -hex 32)");
    }
    return value;
  }

  private static String randomHex() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public String toString() {
    return "Secrets[redacted, generated=" + generated + "]";
  }
}

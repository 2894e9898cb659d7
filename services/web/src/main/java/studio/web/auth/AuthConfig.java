package studio.web.auth;

import java.time.Duration;
import studio.runtime.auth.Internals;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Secrets;
import studio.runtime.config.Settings;
import studio.runtime.config.StudioEnvironment;

/**
 * Who may use pages and APIs. {@code none}: anyone (development only: production refuses it);
 * {@code basic}: one admin user with a password from the environment, then a signed session cookie;
 * {@code proxy}: the identity header a trusted reverse proxy sets after its own login (oauth2-proxy,
 * Authelia, ...).
 */
public record AuthConfig(Mode mode, String adminUser, String adminPassword, String proxyHeader, Duration sessionTtl,
                         Duration tokenTtl, int failuresPerMinute) {
  /** Named once, in service-runtime, because the hub reads it too (to guard its internals). */
  public static final String MODE = Internals.AUTH_MODE;
  public static final String ADMIN_USER = "STUDIO_ADMIN_USER";
  public static final String ADMIN_PASSWORD = "STUDIO_ADMIN_PASSWORD";
  public static final String PROXY_HEADER = "STUDIO_AUTH_PROXY_HEADER";
  public static final String SESSION_TTL = "STUDIO_SESSION_TTL";
  public static final String TOKEN_TTL = "STUDIO_REALTIME_TOKEN_TTL";
  public static final String FAILURES_PER_MINUTE = "STUDIO_AUTH_FAILURES_PER_MINUTE";

  public enum Mode { NONE, BASIC, PROXY }

  public static AuthConfig from(Settings settings, boolean proxyTrusted) {
    Mode mode = mode(settings);
    String password = settings.optional(ADMIN_PASSWORD).map(value -> Secrets.checkLength(ADMIN_PASSWORD, value))
        .orElse(null);
    if (mode == Mode.BASIC && password == null) {
      throw new ConfigException("invalid config: " + MODE + "=basic needs " + ADMIN_PASSWORD
          + " (at least " + Secrets.MIN_LENGTH + " characters; generate one with: openssl rand -base64 24)");
    }
    if (mode == Mode.PROXY && !proxyTrusted) {
      throw new ConfigException("invalid config: " + MODE + "=proxy needs STUDIO_PROXY_FIX_ENABLED=true: the identity "
          + "header is only believed from a trusted reverse proxy");
    }
    Duration tokenTtl = settings.duration(TOKEN_TTL, Duration.ofMinutes(15));
    if (tokenTtl.toSeconds() < 30) {
      throw ConfigException.invalid(TOKEN_TTL, tokenTtl.toSeconds() + "s", "at least 30s");
    }
    return new AuthConfig(mode, settings.string(ADMIN_USER, "admin"), password,
        settings.string(PROXY_HEADER, "X-Forwarded-User"),
        settings.duration(SESSION_TTL, Duration.ofHours(12)),
        tokenTtl,
        settings.intAtLeast(FAILURES_PER_MINUTE, 10, 1));
  }

  /** {@code none} by default in development; production must name a mode that authenticates. */
  private static Mode mode(Settings settings) {
    if (StudioEnvironment.from(settings) != StudioEnvironment.PRODUCTION) {
      return settings.oneOf(MODE, Mode.NONE, Mode.class);
    }
    String modes = "basic (" + ADMIN_USER + " and " + ADMIN_PASSWORD + ") or proxy (the identity header of a trusted "
        + "reverse proxy's login)";
    String named = settings.optional(MODE).orElseThrow(() -> ConfigException.missing(MODE,
        "STUDIO_ENV=production refuses to run open; set " + modes));
    Mode mode = settings.oneOf(MODE, Mode.NONE, Mode.class);
    if (mode == Mode.NONE) {
      throw ConfigException.invalid(MODE, named, modes + "; STUDIO_ENV=production refuses to run open");
    }
    return mode;
  }
}

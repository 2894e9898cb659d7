package studio.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What {@code STUDIO_ENV=production} refuses at start (docs/security.md, "Production refuses to run open"),
 * held against what a deployment ships, so a shipped {@code none} or {@code *} fails the build instead of
 * the operator's first start.
 */
final class ProductionAccess {
  static final String AUTH_MODE = "STUDIO_AUTH_MODE";
  static final String ADMIN_PASSWORD = "STUDIO_ADMIN_PASSWORD";
  static final String PROXY_FIX = "STUDIO_PROXY_FIX_ENABLED";
  static final String ORIGINS = "STUDIO_CORS_ALLOWED_ORIGINS";
  /** Knobs whose development default production refuses: a deployment sets them, so they differ from it. */
  static final Set<String> SET_FOR_PRODUCTION = Set.of(AUTH_MODE, ORIGINS);
  private static final Set<String> AUTHENTICATING_MODES = Set.of("basic", "proxy");
  /** A named origin: scheme, host, optional port; no wildcard, no path. */
  private static final String NAMED_ORIGIN = "https://[A-Za-z0-9.-]+(:\\d+)?";

  private ProductionAccess() {
  }

  /** {@code shipped} answers what a Studio process of the deployment reads for a knob (null: unset). */
  static void assertAuthenticated(String where, UnaryOperator<String> shipped) {
    assertMode(where, shipped.apply(AUTH_MODE));
    assertThat(shipped.apply(PROXY_FIX)).as(where + " " + PROXY_FIX + ": the shipped proxy is one trusted hop")
        .isEqualTo("true");
    assertOrigins(where, shipped.apply(ORIGINS));
  }

  static void assertMode(String where, String mode) {
    assertThat(mode).as(where + " " + AUTH_MODE + " (none is development only)").isIn(AUTHENTICATING_MODES);
  }

  static void assertOrigins(String where, String origins) {
    assertThat(origins).as(where + " " + ORIGINS + " (* is refused in production)").isNotBlank();
    List.of(origins.split(",")).forEach(origin ->
        assertThat(origin.trim()).as(where + " " + ORIGINS).matches(NAMED_ORIGIN));
  }
}

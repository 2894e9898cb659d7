package studio.runtime.breaker;

import java.time.Duration;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

/**
 * When a circuit opens and how long it stays open: {@code maxFailures} outage failures in a row (within
 * the breaker's rolling window) open it; after {@code resetTimeout} one call is let through as a probe,
 * which closes it again or keeps it open.
 */
public record BreakerConfig(int maxFailures, Duration resetTimeout) {
  public static final String MAX_FAILURES = "STUDIO_BREAKER_MAX_FAILURES";
  public static final String RESET_TIMEOUT = "STUDIO_BREAKER_RESET_TIMEOUT";

  public static BreakerConfig from(Settings settings) {
    Duration reset = settings.duration(RESET_TIMEOUT, Duration.ofSeconds(30));
    if (reset.isZero()) {
      throw ConfigException.invalid(RESET_TIMEOUT, "0", "a duration greater than zero");
    }
    return new BreakerConfig(settings.intAtLeast(MAX_FAILURES, 5, 1), reset);
  }
}

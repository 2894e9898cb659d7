package studio.web.auth;

import java.util.HashMap;
import java.util.Map;

/**
 * Failed logins per client address in the current minute, per event loop: enough to make password
 * guessing slow without shared state. The window resets every minute, which also bounds memory.
 */
final class FailureLimiter {
  private final int perMinute;
  private final Map<String, Integer> failures = new HashMap<>();
  private long windowStart = System.currentTimeMillis();

  FailureLimiter(int perMinute) {
    this.perMinute = perMinute;
  }

  boolean blocked(String client) {
    roll();
    return failures.getOrDefault(client, 0) >= perMinute;
  }

  void failed(String client) {
    roll();
    failures.merge(client, 1, Integer::sum);
  }

  long secondsUntilReset() {
    return Math.max(1, (windowStart + 60_000 - System.currentTimeMillis() + 999) / 1000);
  }

  private void roll() {
    long now = System.currentTimeMillis();
    if (now - windowStart >= 60_000) {
      failures.clear();
      windowStart = now;
    }
  }
}

package studio.hub.session;

/** A token bucket: {@code perSecond} frames a second on average, bursts up to twice that. */
final class RateLimiter {
  private final double perSecond;
  private final double capacity;
  private double tokens;
  private long lastRefillNanos = System.nanoTime();

  RateLimiter(int perSecond) {
    this.perSecond = perSecond;
    this.capacity = perSecond * 2.0;
    this.tokens = capacity;
  }

  boolean tryAcquire() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
    lastRefillNanos = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}

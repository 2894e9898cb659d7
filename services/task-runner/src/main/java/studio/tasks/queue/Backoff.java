package studio.tasks.queue;

import java.time.Duration;

/** Exponential retry delay: base, 2 x base, 4 x base ... capped. */
public record Backoff(Duration base, Duration max) {
  /** The delay before attempt {@code attempts + 1}, after {@code attempts} failed. */
  public Duration after(int attempts) {
    int doublings = Math.max(0, Math.min(attempts - 1, 30));
    Duration delay = base.multipliedBy(1L << doublings);
    return delay.compareTo(max) > 0 || delay.isNegative() ? max : delay;
  }
}

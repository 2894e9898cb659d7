package studio.runtime.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The one retry delay of the code base: exponential ({@code base}, 2 x base, 4 x base ...), capped,
 * optionally jittered. With jitter {@code j} a delay {@code d} is drawn uniformly from
 * {@code [d x (1 - j), d]}, so replicas that failed together do not retry together, and no delay ever
 * exceeds the cap.
 *
 * <p>Use {@link #delay(int)} when the failure count lives elsewhere (a task row's attempts), or the
 * counter kept here ({@link #next()}, {@link #reset()}) for one retry loop. The counter is not
 * thread-safe: keep one instance per loop, on its event loop.
 */
public final class Backoff {
  /** 2^30 x base already exceeds any sensible cap; stops the shift from overflowing. */
  private static final int MAX_DOUBLINGS = 30;
  private final long baseMillis;
  private final long capMillis;
  private final double jitter;
  private final DoubleSupplier random;
  private int failures;

  private Backoff(long baseMillis, long capMillis, double jitter, DoubleSupplier random) {
    if (baseMillis < 0 || capMillis < 0) {
      throw new IllegalArgumentException("backoff base and cap must not be negative");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("backoff jitter must be between 0 and 1, not " + jitter);
    }
    this.baseMillis = baseMillis;
    this.capMillis = capMillis;
    this.jitter = jitter;
    this.random = random;
  }

  /** base, 2 x base, 4 x base ... never above {@code cap}; no jitter. */
  public static Backoff exponential(Duration base, Duration cap) {
    return new Backoff(base.toMillis(), cap.toMillis(), 0, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The same growth, each delay shortened by a random share of at most {@code fraction} (0..1). */
  public Backoff withJitter(double fraction) {
    return new Backoff(baseMillis, capMillis, fraction, random);
  }

  /** For tests: {@code random} gives values in [0, 1) in place of a random generator. */
  Backoff withRandom(DoubleSupplier random) {
    return new Backoff(baseMillis, capMillis, jitter, random);
  }

  /** The delay after {@code failures} failures in a row (0 and 1 both give the base). */
  public Duration delay(int failures) {
    return Duration.ofMillis(delayMillis(failures));
  }

  public long delayMillis(int failures) {
    int doublings = Math.max(0, Math.min(failures - 1, MAX_DOUBLINGS));
    long exponential = baseMillis > (capMillis >> doublings) ? capMillis : baseMillis << doublings;
    long delay = Math.min(capMillis, exponential);
    return jitter == 0 ? delay : delay - Math.round(delay * jitter * random.getAsDouble());
  }

  /** Counts one more failure and answers how long to wait before the next try. */
  public long nextMillis() {
    if (failures < Integer.MAX_VALUE) {
      failures++;
    }
    return delayMillis(failures);
  }

  public Duration next() {
    return Duration.ofMillis(nextMillis());
  }

  /** After a success: the next failure waits the base again. */
  public void reset() {
    failures = 0;
  }

  /** Failures counted since the last {@link #reset()}. */
  public int failures() {
    return failures;
  }
}

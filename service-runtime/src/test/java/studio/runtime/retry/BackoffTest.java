package studio.runtime.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));

  @Test
  @DisplayName("the first retry waits the base, then each waits twice the one before")
  void growth() {
    assertThat(IntStream.rangeClosed(0, 6).mapToLong(backoff::delayMillis).boxed().toList())
        .containsExactly(100L, 100L, 200L, 400L, 800L, 1600L, 3200L);
  }

  @Test
  @DisplayName("no delay exceeds the cap, however many failures (no overflow)")
  void cap() {
    assertThat(backoff.delayMillis(7)).isEqualTo(5000);
    assertThat(backoff.delayMillis(64)).isEqualTo(5000);
    assertThat(backoff.delayMillis(Integer.MAX_VALUE)).isEqualTo(5000);
    Backoff huge = Backoff.exponential(Duration.ofDays(365 * 1000L), Duration.ofDays(365 * 2000L));
    assertThat(huge.delay(40)).isEqualTo(Duration.ofDays(365 * 2000L));
    assertThat(Backoff.exponential(Duration.ofMinutes(2), Duration.ofMinutes(1)).delay(1)).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  @DisplayName("bounds: a zero base never waits; negative settings and jitter outside 0..1 are refused")
  void bounds() {
    assertThat(Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)).delayMillis(10)).isZero();
    assertThat(Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(1)).delayMillis(-5)).isEqualTo(1);
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> backoff.withJitter(1.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> backoff.withJitter(-0.1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("jitter draws from [d x (1 - j), d]: the extremes are reached, never passed")
  void jitterRange() {
    Backoff half = backoff.withJitter(0.5);
    assertThat(half.withRandom(() -> 0.0).delayMillis(4)).isEqualTo(800);
    assertThat(half.withRandom(() -> 0.999_999).delayMillis(4)).isEqualTo(400);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      long delay = half.delayMillis(4);
      assertThat(delay).isBetween(400L, 800L);
      seen.add(delay);
    }
    assertThat(seen).as("jittered delays differ").hasSizeGreaterThan(50);
    for (int i = 0; i < 200; i++) {
      assertThat(half.delayMillis(20)).isBetween(2500L, 5000L);
    }
  }

  @Test
  @DisplayName("the counter grows with each failure and starts again at the base after a reset")
  void reset() {
    assertThat(backoff.nextMillis()).isEqualTo(100);
    assertThat(backoff.nextMillis()).isEqualTo(200);
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(400));
    assertThat(backoff.failures()).isEqualTo(3);
    backoff.reset();
    assertThat(backoff.failures()).isZero();
    assertThat(backoff.nextMillis()).isEqualTo(100);
  }
}

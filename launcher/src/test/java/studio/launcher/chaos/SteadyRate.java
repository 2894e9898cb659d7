package studio.launcher.chaos;

import io.vertx.core.Vertx;
import java.util.function.IntConsumer;

/**
 * Calls {@code send} {@code count} times at {@code perSecond}, on a Vert.x timer, without waiting
 * for what each call started: a slow answer does not slow the rate, as with independent clients.
 */
final class SteadyRate {
  private static final long TICK_MS = 5;

  private SteadyRate() {
  }

  static void run(Vertx vertx, int count, int perSecond, IntConsumer send) {
    long began = System.nanoTime();
    int[] sent = {0};
    vertx.setPeriodic(TICK_MS, timer -> {
      // As many as the rate allows by now, so timer jitter does not lower it.
      long due = Math.min(count, (System.nanoTime() - began) * perSecond / 1_000_000_000L + 1);
      while (sent[0] < due) {
        send.accept(sent[0]++);
      }
      if (sent[0] == count) {
        vertx.cancelTimer(timer);
      }
    });
  }
}

package studio.runtime.batch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Coalesces writes that arrive close together into one: items submitted during the same event-loop
 * turn, or while the previous batch is still in flight, go out together (at most {@code maxBatch} at
 * a time), so a burst of N costs one round trip and one commit instead of N. One batch is in flight
 * at a time. Each submitter's future completes with its own answer only once the whole batch has
 * completed (for a database write: after the commit); when the batch fails, every submitter's
 * future fails with that failure, and the caller decides how to try again (e.g. one by one).
 * Used on one context only (the one it was created on).
 */
public final class Batcher<I, O> {
  private record Pending<I, O>(I item, Promise<O> answer) {
  }

  private final Context context;
  private final int maxBatch;
  private final Function<List<I>, Future<List<O>>> write;
  private final List<Pending<I, O>> pending = new ArrayList<>();
  private boolean scheduled;
  private boolean inFlight;

  /** {@code write} answers one result per item, in the items' order. */
  public Batcher(Context context, int maxBatch, Function<List<I>, Future<List<O>>> write) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1");
    }
    this.context = context;
    this.maxBatch = maxBatch;
    this.write = write;
  }

  /** Completes with this item's answer after its batch completed, or fails with the batch's failure. */
  public Future<O> submit(I item) {
    Promise<O> answer = Promise.promise();
    pending.add(new Pending<>(item, answer));
    scheduleFlush();
    return answer.future();
  }

  /** How many items wait for the next batch. */
  public int pending() {
    return pending.size();
  }

  /** At the end of this turn (what else is submitted in this turn joins), unless a batch is in flight: its end flushes. */
  private void scheduleFlush() {
    if (scheduled || inFlight || pending.isEmpty()) {
      return;
    }
    scheduled = true;
    context.runOnContext(turn -> {
      scheduled = false;
      flush();
    });
  }

  private void flush() {
    if (inFlight || pending.isEmpty()) {
      return;
    }
    List<Pending<I, O>> batch = new ArrayList<>(pending.subList(0, Math.min(maxBatch, pending.size())));
    pending.subList(0, batch.size()).clear();
    inFlight = true;
    Future<List<O>> written;
    try {
      written = write.apply(batch.stream().map(Pending::item).toList());
    } catch (RuntimeException thrown) {
      written = Future.failedFuture(thrown);
    }
    written.onComplete(done -> {
      inFlight = false;
      if (done.succeeded() && done.result().size() == batch.size()) {
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).answer().complete(done.result().get(i));
        }
      } else {
        Throwable failure = done.failed() ? done.cause()
            : new IllegalStateException("a batch of " + batch.size() + " answered " + done.result().size());
        batch.forEach(item -> item.answer().fail(failure));
      }
      scheduleFlush();
    });
  }
}

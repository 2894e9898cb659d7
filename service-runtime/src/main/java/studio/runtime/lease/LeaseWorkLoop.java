package studio.runtime.lease;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.CancelRequest;

/**
 * The cycle every worker of a leased queue runs (task runner, download jobs): keep up to
 * {@code concurrency} items running, claiming free slots when woken over the bus, on a slow poll and
 * whenever an item ends (wake-ups that arrive during a claim are coalesced into one more claim, and
 * items that end in the same event-loop turn, as a batch of finishes does, free their slots for one
 * claim of that many: a batch claim, one transaction for all);
 * renew the leases of running items, stopping those whose lease was lost or whose cancel was
 * requested; stop an item when a {@link CancelRequest} names it; and on stop, hand every running item
 * back and wait (up to a grace) for it to end. One event loop runs all of it.
 *
 * <p>The service supplies only what differs, as a {@link Work}.
 */
public final class LeaseWorkLoop<T> {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseWorkLoop.class);

  /** What the service does at each step of the cycle. */
  public interface Work<T> {
    /** Up to {@code limit} items, each now leased to this worker; empty when none is due. */
    Future<List<T>> claim(int limit);

    long id(T item);

    /** Runs a claimed item; completes when it has ended (a failure counts as ended too). */
    Future<Void> run(T item);

    /**
     * Extends the leases of {@code ids}; answers what each renewal learned. An id missing from the
     * answer is not known (its renewal failed) and is left running.
     */
    Future<Map<Long, LeaseState>> renew(Set<Long> ids);

    /** Its cancel was requested (over the bus, or the row's flag at a renewal): stop it as cancelled. */
    void cancel(T item);

    /** Another worker holds its lease now: stop working on it, recording nothing. */
    void leaseLost(T item);

    /** This worker stops: stop the item so it can be handed back. */
    void release(T item);

    /** On every poll, before claiming: e.g. reclaim the leases dead workers left behind. */
    default void sweep() {
    }

    /** After a stop, once the released items ended (or the grace ran out): e.g. give their leases up. */
    default Future<Void> handBack(List<T> items) {
      return Future.succeededFuture();
    }
  }

  /**
   * {@code noun} names an item in logs ("task"); {@code wakeAddress} and {@code cancelAddress} are the
   * bus addresses of wake-ups and {@link CancelRequest}s.
   */
  public record Settings(String noun, String wakeAddress, String cancelAddress, int concurrency, Duration pollInterval,
                         Duration renewInterval) {
  }

  private record Running<T>(T item, Future<Void> ended) {
  }

  private final Vertx vertx;
  private final Settings settings;
  private final Work<T> work;
  private final Map<Long, Running<T>> running = new LinkedHashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();
  private Context context;
  private boolean claiming;
  private boolean wakeAgain;
  private boolean wakeScheduled;
  private boolean stopped;

  public LeaseWorkLoop(Vertx vertx, Settings settings, Work<T> work) {
    this.vertx = vertx;
    this.settings = settings;
    this.work = work;
  }

  /** Listens, starts the timers and claims; completes once the bus consumers are registered. */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    consumers.add(vertx.eventBus().consumer(settings.wakeAddress(), message -> wake()));
    consumers.add(vertx.eventBus().consumer(settings.cancelAddress(),
        message -> CancelRequest.fromJson(message.body()).ifPresent(this::cancel)));
    timers.add(vertx.setPeriodic(settings.pollInterval().toMillis(), tick -> {
      work.sweep();
      wake();
    }));
    timers.add(vertx.setPeriodic(Math.max(1, settings.renewInterval().toMillis()), tick -> renew()));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(ready -> wake())
        .mapEmpty();
  }

  /**
   * Stops claiming, releases every running item and waits up to {@code grace} for them to end, then
   * lets the service hand them back. Never fails.
   */
  public Future<Void> stop(Duration grace) {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    List<T> items = running();
    List<Future<Void>> ends = running.values().stream().map(Running::ended).toList();
    items.forEach(work::release);
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList())
        .transform(unregistered -> Future.join(ends).timeout(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS))
        .transform(ended -> work.handBack(items))
        .onFailure(failure -> LOG.warn("handing back {}s on stop failed: {}", settings.noun(), failure.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  public boolean stopped() {
    return stopped;
  }

  /** The items running now, in the order they were claimed. */
  public List<T> running() {
    return running.values().stream().map(Running::item).toList();
  }

  /** Claims as many items as slots are free; a wake-up during a claim claims again once it is done. */
  public void wake() {
    if (stopped) {
      return;
    }
    if (claiming) {
      wakeAgain = true;
      return;
    }
    int free = settings.concurrency() - running.size();
    if (free <= 0) {
      return;
    }
    claiming = true;
    wakeAgain = false;
    work.claim(free).onComplete(claimed -> {
      claiming = false;
      if (claimed.failed()) {
        LOG.warn("claiming {}s failed (retrying at the next poll): {}", settings.noun(), claimed.cause().getMessage());
      } else {
        launchAll(claimed.result());
      }
      if (wakeAgain) {
        wake();
      }
    });
  }

  /**
   * Items this worker leased outside {@link Work#claim}, in a transaction that also ended as many of
   * its running items (a finish batch that claims the next items before its commit): runs them as if
   * claimed. Call it before those ended items' runs complete, so the claim their ends trigger sees
   * the slots taken; until then the worker runs up to that many items above its concurrency.
   */
  public void adopt(List<T> items) {
    launchAll(items);
  }

  private void launchAll(List<T> items) {
    items.forEach(this::launch);
    if (stopped) {
      // Claimed while stopping: run each only to hand it straight back.
      List<Future<Void>> ends = items.stream().map(item -> running.get(work.id(item)).ended()).toList();
      items.forEach(work::release);
      Future.join(ends).onComplete(ended -> work.handBack(items));
    }
  }

  private void launch(T item) {
    long id = work.id(item);
    Promise<Void> ended = Promise.promise();
    running.put(id, new Running<>(item, ended.future()));
    ended.future().onComplete(done -> {
      running.remove(id);
      wakeAtTurnEnd();
    });
    Future.<Void>succeededFuture().compose(start -> work.run(item)).onComplete(run -> {
      if (run.failed()) {
        LOG.error("{} {}: run failed unexpectedly", settings.noun(), id, run.cause());
      }
      ended.complete();
    });
  }

  /** One claim for every slot freed in this turn, rather than a claim of one slot and then one of the rest. */
  private void wakeAtTurnEnd() {
    if (wakeScheduled) {
      return;
    }
    wakeScheduled = true;
    context.runOnContext(turn -> {
      wakeScheduled = false;
      wake();
    });
  }

  private void cancel(CancelRequest request) {
    Running<T> target = running.get(request.id());
    if (target != null) {
      LOG.info("{} {}: cancel requested", settings.noun(), request.id());
      work.cancel(target.item());
    }
  }

  /** Only items running when the renewal was sent can be reported lost: one claimed meanwhile was not asked about. */
  private void renew() {
    if (running.isEmpty()) {
      return;
    }
    Set<Long> asked = Set.copyOf(running.keySet());
    work.renew(asked)
        .onSuccess(states -> states.forEach((id, state) -> {
          Running<T> target = asked.contains(id) ? running.get(id) : null;
          if (target == null) {
            return;
          }
          if (!state.held()) {
            work.leaseLost(target.item());
          } else if (state.cancelRequested()) {
            work.cancel(target.item());
          }
        }))
        .onFailure(failure -> LOG.warn("renewing {} leases failed (retrying): {}", settings.noun(), failure.getMessage()));
  }
}

package studio.runtime.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.bus.CancelRequest;

/** The loop against an in-memory queue: every step of the cycle, observed from the work's side. */
class LeaseWorkLoopTest {
  private static final String WAKE = "test.lease.wake";
  private static final String CANCEL = "test.lease.cancel";
  private final Vertx vertx = Vertx.vertx();
  private final FakeWork work = new FakeWork();
  private LeaseWorkLoop<Long> loop;

  /** Items are ids; each runs until the test (or a cancel, lost lease or release) ends it. */
  private static final class FakeWork implements LeaseWorkLoop.Work<Long> {
    final AtomicLong queued = new AtomicLong();
    final AtomicLong nextId = new AtomicLong(1);
    final List<Integer> claims = new CopyOnWriteArrayList<>();
    final Map<Long, Promise<Void>> runs = new ConcurrentHashMap<>();
    final Map<Long, String> stoppedBecause = new ConcurrentHashMap<>();
    final Map<Long, LeaseState> leases = new ConcurrentHashMap<>();
    final List<List<Long>> handedBack = new CopyOnWriteArrayList<>();
    volatile Promise<Void> claimGate;
    /** Items that do not end when asked to stop. */
    final Set<Long> stubborn = ConcurrentHashMap.newKeySet();

    @Override
    public Future<List<Long>> claim(int limit) {
      claims.add(limit);
      Future<Void> gate = claimGate == null ? Future.succeededFuture() : claimGate.future();
      return gate.map(open -> {
        List<Long> claimed = new ArrayList<>();
        while (claimed.size() < limit && queued.get() > 0) {
          queued.decrementAndGet();
          claimed.add(nextId.getAndIncrement());
        }
        return claimed;
      });
    }

    @Override
    public long id(Long item) {
      return item;
    }

    @Override
    public Future<Void> run(Long item) {
      Promise<Void> run = Promise.promise();
      runs.put(item, run);
      return run.future();
    }

    @Override
    public Future<Map<Long, LeaseState>> renew(Set<Long> ids) {
      return Future.succeededFuture(ids.stream().filter(leases::containsKey)
          .collect(Collectors.toMap(id -> id, leases::get)));
    }

    private void stop(Long item, String why) {
      stoppedBecause.putIfAbsent(item, why);
      if (!stubborn.contains(item)) {
        runs.get(item).tryComplete();
      }
    }

    @Override
    public void cancel(Long item) {
      stop(item, "cancel");
    }

    @Override
    public void leaseLost(Long item) {
      stop(item, "lost");
    }

    @Override
    public void release(Long item) {
      stop(item, "release");
    }

    @Override
    public Future<Void> handBack(List<Long> items) {
      handedBack.add(items);
      return Future.succeededFuture();
    }
  }

  private void start(int concurrency, Duration renew) throws Exception {
    loop = new LeaseWorkLoop<>(vertx, new LeaseWorkLoop.Settings("item", WAKE, CANCEL, concurrency,
        Duration.ofHours(1), renew), work);
    onLoop(() -> loop.start());
  }

  private <T> T onLoop(Supplier<Future<T>> action) throws Exception {
    Promise<T> done = Promise.promise();
    vertx.runOnContext(go -> action.get().onComplete(done));
    return done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("claims only the free slots, and claims again when an item ends")
  void claimsFreeSlots() throws Exception {
    work.queued.set(5);
    start(3, Duration.ofHours(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> work.runs.size() == 3);
    assertThat(work.claims).containsExactly(3);
    vertx.runOnContext(go -> work.runs.get(1L).complete());
    await().atMost(Duration.ofSeconds(5)).until(() -> work.runs.size() == 4);
    assertThat(work.claims).containsExactly(3, 1);
  }

  @Test
  @DisplayName("items that end in the same event-loop turn (a batch of finishes) free their slots for one claim of them all")
  void itemsEndingTogetherAreClaimedForInOneClaim() throws Exception {
    work.queued.set(10);
    start(4, Duration.ofHours(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> work.runs.size() == 4);
    vertx.runOnContext(go -> List.of(1L, 2L, 3L).forEach(id -> work.runs.get(id).complete()));
    await().atMost(Duration.ofSeconds(5)).until(() -> work.runs.size() == 7);
    assertThat(work.claims).as("one claim of the three freed slots, not a claim of one and then of two")
        .containsExactly(4, 3);
  }

  @Test
  @DisplayName("wake-ups that arrive during a claim are coalesced into one more claim")
  void coalescesWakeUps() throws Exception {
    work.claimGate = Promise.promise();
    start(4, Duration.ofHours(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> work.claims.size() == 1);
    for (int i = 0; i < 10; i++) {
      vertx.eventBus().publish(WAKE, new JsonObject());
    }
    work.queued.set(2);
    Promise<Void> gate = work.claimGate;
    work.claimGate = null;
    vertx.runOnContext(go -> gate.complete());
    await().atMost(Duration.ofSeconds(5)).until(() -> work.claims.size() == 2);
    assertThat(work.runs).hasSize(2);
    assertThat(work.claims).as("ten wake-ups, one more claim of the slots left").containsExactly(4, 2);
  }

  @Test
  @DisplayName("a cancel request names one item; malformed ones are ignored")
  void cancelOverTheBus() throws Exception {
    work.queued.set(2);
    start(2, Duration.ofHours(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> work.runs.size() == 2);
    vertx.eventBus().publish(CANCEL, new JsonObject().put("id", "2"));
    vertx.eventBus().publish(CANCEL, new JsonObject().put("task_id", 2));
    vertx.eventBus().publish(CANCEL, new JsonObject().put("id", 99));
    vertx.eventBus().publish(CANCEL, new CancelRequest(2).toJson());
    await().atMost(Duration.ofSeconds(5)).until(() -> work.stoppedBecause.containsKey(2L));
    assertThat(work.stoppedBecause).containsOnly(Map.entry(2L, "cancel"));
  }

  @Test
  @DisplayName("a renewal stops the items whose lease was lost or whose cancel was requested; unknown ones go on")
  void renewalStopsLostAndCancelled() throws Exception {
    work.queued.set(3);
    work.leases.put(1L, LeaseState.LOST);
    work.leases.put(2L, new LeaseState(true, true));
    start(3, Duration.ofMillis(20));
    await().atMost(Duration.ofSeconds(5)).until(() -> work.stoppedBecause.size() == 2);
    assertThat(work.stoppedBecause).containsOnly(Map.entry(1L, "lost"), Map.entry(2L, "cancel"));
    assertThat(work.runs.get(3L).future().isComplete()).isFalse();
  }

  @Test
  @DisplayName("stop releases every running item, waits for it, hands it back, and claims nothing more")
  void stopReleasesAndHandsBack() throws Exception {
    work.queued.set(2);
    start(2, Duration.ofHours(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> work.runs.size() == 2);
    onLoop(() -> loop.stop(Duration.ofSeconds(5)));
    assertThat(work.stoppedBecause).containsOnly(Map.entry(1L, "release"), Map.entry(2L, "release"));
    assertThat(work.handedBack).containsExactly(List.of(1L, 2L));
    work.queued.set(1);
    onLoop(() -> {
      loop.wake();
      return Future.succeededFuture();
    });
    assertThat(work.claims).containsExactly(2);
  }

  @Test
  @DisplayName("stop waits at most the grace for an item that does not end")
  void stopGrace() throws Exception {
    work.queued.set(1);
    start(1, Duration.ofHours(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> work.runs.size() == 1);
    work.stubborn.add(1L);
    onLoop(() -> loop.stop(Duration.ofMillis(100)));
    assertThat(work.stoppedBecause).containsOnly(Map.entry(1L, "release"));
    assertThat(work.runs.get(1L).future().isComplete()).isFalse();
    assertThat(work.handedBack).containsExactly(List.of(1L));
  }
}

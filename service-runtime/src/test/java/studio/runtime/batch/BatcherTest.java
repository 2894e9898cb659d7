package studio.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Coalescing on one context: what goes into a batch, and what each submitter hears when. */
class BatcherTest {
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
  private final List<Promise<List<String>>> writes = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Batcher<Integer, String> batcher(int maxBatch) {
    return new Batcher<>(context, maxBatch, items -> {
      batches.add(items);
      Promise<List<String>> write = Promise.promise();
      writes.add(write);
      return write.future();
    });
  }

  private <T> T onContext(Supplier<T> action) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(go -> done.complete(action.get()));
    return done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static List<String> answers(List<Integer> items) {
    return items.stream().map(item -> "done " + item).toList();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("items submitted in one turn go out as one batch; each submitter gets its own answer only after the write completed")
  void oneTurnOneBatch() throws Exception {
    Batcher<Integer, String> batcher = batcher(10);
    List<Future<String>> answers = onContext(() -> {
      List<Future<String>> submitted = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        submitted.add(batcher.submit(i));
      }
      return submitted;
    });
    Awaitility.await().until(() -> writes.size() == 1);
    assertThat(batches).containsExactly(List.of(1, 2, 3));
    assertThat(answers).noneMatch(Future::isComplete);
    context.runOnContext(go -> writes.get(0).complete(answers(batches.get(0))));
    assertThat(await(answers.get(1))).isEqualTo("done 2");
    assertThat(await(answers.get(0))).isEqualTo("done 1");
    assertThat(await(answers.get(2))).isEqualTo("done 3");
  }

  @Test
  @DisplayName("what arrives while a batch is in flight waits and goes out as the next batch, at most maxBatch at a time")
  void inFlightCoalescesTheNext() throws Exception {
    Batcher<Integer, String> batcher = batcher(2);
    Future<String> first = onContext(() -> batcher.submit(1));
    Awaitility.await().until(() -> writes.size() == 1);
    List<Future<String>> later = onContext(() -> List.of(batcher.submit(2), batcher.submit(3), batcher.submit(4)));
    assertThat(onContext(batcher::pending)).isEqualTo(3);
    assertThat(writes).hasSize(1);
    context.runOnContext(go -> writes.get(0).complete(answers(batches.get(0))));
    assertThat(await(first)).isEqualTo("done 1");
    Awaitility.await().until(() -> writes.size() == 2);
    context.runOnContext(go -> writes.get(1).complete(answers(batches.get(1))));
    Awaitility.await().until(() -> writes.size() == 3);
    context.runOnContext(go -> writes.get(2).complete(answers(batches.get(2))));
    assertThat(await(later.get(2))).isEqualTo("done 4");
    assertThat(batches).containsExactly(List.of(1), List.of(2, 3), List.of(4));
  }

  @Test
  @DisplayName("a failed write fails every submitter of that batch, and the next batch still goes out")
  void failureFailsTheWholeBatch() throws Exception {
    Batcher<Integer, String> batcher = batcher(10);
    List<Future<String>> failing = onContext(() -> List.of(batcher.submit(1), batcher.submit(2)));
    Awaitility.await().until(() -> writes.size() == 1);
    Future<String> next = onContext(() -> batcher.submit(3));
    context.runOnContext(go -> writes.get(0).fail(new IllegalStateException("connection lost")));
    Awaitility.await().until(() -> failing.stream().allMatch(Future::failed));
    assertThat(failing).allSatisfy(answer -> assertThat(answer.cause()).hasMessage("connection lost"));
    Awaitility.await().until(() -> writes.size() == 2);
    context.runOnContext(go -> writes.get(1).complete(List.of("done 3")));
    assertThat(await(next)).isEqualTo("done 3");
  }
}

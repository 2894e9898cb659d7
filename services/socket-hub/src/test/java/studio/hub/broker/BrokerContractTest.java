package studio.hub.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;
import studio.contract.room.RoomKey;

/** The semantics every {@link Broker} must have; run against each implementation. */
@ExtendWith(VertxExtension.class)
abstract class BrokerContractTest {
  static final HistoryPolicy POLICY = new HistoryPolicy(50, Duration.ofMinutes(5), Duration.ofMinutes(5),
      Duration.ofDays(1));

  Vertx vertx;
  Context context;
  Broker broker;
  final List<RoomFrame> delivered = new CopyOnWriteArrayList<>();
  volatile int resubscribed;
  final String id = UUID.randomUUID().toString().substring(0, 8);

  abstract Broker create(Vertx vertx, HistoryPolicy policy);

  @BeforeEach
  void createBroker(Vertx vertx) throws Exception {
    this.vertx = vertx;
    context = vertx.getOrCreateContext();
    broker = onContext(() -> {
      Broker created = create(vertx, policy());
      created.listener(new BrokerListener() {
        @Override
        public void onFrame(RoomFrame frame) {
          delivered.add(frame);
        }

        @Override
        public void onResubscribed() {
          resubscribed++;
        }
      });
      return Future.succeededFuture(created);
    });
  }

  @AfterEach
  void closeBroker() throws Exception {
    onContext(() -> broker.close());
  }

  HistoryPolicy policy() {
    return POLICY;
  }

  <T> T onContext(Supplier<Future<T>> action) throws Exception {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(promise));
    return promise.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  RoomKey room(String kind) {
    return RoomKey.parse(kind + ":" + id);
  }

  DraftEvent draft(String idempotencyKey, RoomKey... rooms) {
    JsonArray roomKeys = new JsonArray();
    for (RoomKey room : rooms) {
      roomKeys.add(room.toString());
    }
    JsonObject json = new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task")
        .put("entity_id", id).put("room_keys", roomKeys).put("payload", new JsonObject().put("n", idempotencyKey));
    if (idempotencyKey != null) {
      json.put("idempotency_key", idempotencyKey);
    }
    return DraftEvent.fromJson(json);
  }

  Publication publish(DraftEvent draft) throws Exception {
    return onContext(() -> broker.publish(draft));
  }

  @Test
  @DisplayName("each publish takes the stream's next sequence and each room's next offset")
  void numbering() throws Exception {
    RoomKey task = room("task");
    RoomKey run = room("run");
    Publication first = publish(draft(null, task));
    Publication second = publish(draft(null, task, run));
    assertThat(first.envelope().sequence()).isEqualTo(1);
    assertThat(second.envelope().sequence()).isEqualTo(2);
    assertThat(first.rooms()).extracting(RoomFrame::offset).containsExactly(1L);
    assertThat(second.rooms()).extracting(RoomFrame::room).containsExactly(task, run);
    assertThat(second.rooms()).extracting(RoomFrame::offset).containsExactly(2L, 1L);
    assertThat(second.duplicate()).isFalse();
  }

  @Test
  @DisplayName("the frame is the protocol's event frame and carries the envelope the publisher got back")
  void frameShape() throws Exception {
    Publication publication = publish(draft("k1", room("task")));
    JsonObject frame = new JsonObject(publication.rooms().get(0).frame());
    assertThat(frame.getString("op")).isEqualTo("event");
    assertThat(frame.getString("room")).isEqualTo(room("task").toString());
    assertThat(frame.getLong("offset")).isEqualTo(1);
    assertThat(frame.getString("epoch")).isEqualTo(publication.rooms().get(0).epoch()).isNotBlank();
    assertThat(Envelope.fromJson(frame.getJsonObject("event"))).isEqualTo(publication.envelope());
  }

  @Test
  @DisplayName("a room's epoch has the one format both brokers share: the epoch's start in hex milliseconds, then random hex")
  void epochFormat() throws Exception {
    long before = System.currentTimeMillis();
    String epoch = publish(draft(null, room("task"))).rooms().get(0).epoch();
    assertThat(epoch).matches(RoomEpoch.FORMAT);
    long started = Long.parseLong(epoch.substring(0, epoch.length() - RoomEpoch.RANDOM_DIGITS), 16);
    assertThat(started).isBetween(before, System.currentTimeMillis());
  }

  @Test
  @DisplayName("a publish retried with the same idempotency key yields one event and the first result")
  void idempotency() throws Exception {
    RoomKey task = room("task");
    Publication first = publish(draft("same-key", task));
    Publication retry = publish(draft("same-key", task));
    Publication next = publish(draft("other-key", task));
    assertThat(retry.duplicate()).isTrue();
    assertThat(retry.envelope().eventId()).isEqualTo(first.envelope().eventId());
    assertThat(retry.rooms()).extracting(RoomFrame::offset).containsExactly(1L);
    assertThat(next.rooms()).extracting(RoomFrame::offset).containsExactly(2L);
    assertThat(next.envelope().sequence()).isEqualTo(2);
  }

  List<Publication> publishBatch(List<DraftEvent> drafts) throws Exception {
    return onContext(() -> broker.publishBatch(drafts));
  }

  @Test
  @DisplayName("a batch numbers its drafts in batch order, and each room's subscribers receive its frames once, in order")
  void batchInOrder() throws Exception {
    RoomKey task = room("task");
    RoomKey run = room("run");
    onContext(() -> broker.subscribe(task));
    onContext(() -> broker.subscribe(run));
    publish(draft(null, task));
    List<DraftEvent> drafts = IntStream.range(0, 12)
        .mapToObj(i -> i % 3 == 0 ? draft(null, task, run) : i % 3 == 1 ? draft(null, task) : draft(null, run)).toList();
    List<Publication> publications = publishBatch(drafts);
    assertThat(publications).extracting(publication -> publication.envelope().sequence())
        .containsExactlyElementsOf(IntStream.rangeClosed(2, 13).mapToObj(i -> (long) i).toList());
    assertThat(publications).extracting(Publication::duplicate).containsOnly(false);
    assertThat(publications.get(0).rooms()).extracting(RoomFrame::room).containsExactly(task, run);
    assertThat(publications.get(0).rooms()).extracting(RoomFrame::offset).containsExactly(2L, 1L);
    assertThat(publications.get(11).rooms()).extracting(RoomFrame::offset).containsExactly(8L);
    // 1 + 8 frames of the task room, 8 of the run room
    await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() >= 17);
    assertThat(delivered).hasSize(17);
    assertThat(delivered.stream().filter(frame -> frame.room().equals(task)).map(RoomFrame::offset).toList())
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 9).mapToObj(i -> (long) i).toList());
    assertThat(delivered.stream().filter(frame -> frame.room().equals(run)).map(RoomFrame::offset).toList())
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 8).mapToObj(i -> (long) i).toList());
    List<String> runEvents = delivered.stream().filter(frame -> frame.room().equals(run))
        .map(frame -> new JsonObject(frame.frame()).getJsonObject("event").getString("event_id")).toList();
    assertThat(runEvents).containsExactlyElementsOf(publications.stream()
        .filter(publication -> publication.rooms().stream().anyMatch(frame -> frame.room().equals(run)))
        .map(publication -> publication.envelope().eventId().toString()).toList());
  }

  @Test
  @DisplayName("idempotency keys hold per draft inside a batch and across batches")
  void batchIdempotency() throws Exception {
    RoomKey task = room("task");
    Publication first = publish(draft("k-1", task));
    List<Publication> batch = publishBatch(List.of(draft("k-1", task), draft("k-2", task), draft(null, task),
        draft("k-2", task)));
    assertThat(batch).extracting(Publication::duplicate).containsExactly(true, false, false, true);
    assertThat(batch.get(0).envelope().eventId()).isEqualTo(first.envelope().eventId());
    assertThat(batch.get(3).envelope().eventId()).isEqualTo(batch.get(1).envelope().eventId());
    assertThat(batch).extracting(publication -> publication.rooms().get(0).offset()).containsExactly(1L, 2L, 3L, 2L);
    assertThat(onContext(() -> broker.history(task, 0, 10)).frames()).hasSize(3);
  }

  @Test
  @DisplayName("concurrent publishers to one stream get distinct sequences that increase with room offset")
  void concurrentPublishers() throws Exception {
    RoomKey task = room("task");
    List<Publication> publications = onContext(() -> Future.all(IntStream.range(0, 200)
            .mapToObj(i -> broker.publish(draft(null, task))).toList())
        .map(all -> new ArrayList<>(all.<Publication>list())));
    publications.sort((a, b) -> Long.compare(a.rooms().get(0).offset(), b.rooms().get(0).offset()));
    assertThat(publications).extracting(p -> p.rooms().get(0).offset())
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj(i -> (long) i).toList());
    assertThat(publications).extracting(p -> p.envelope().sequence()).isSorted().doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("history after an offset returns the following frames in order and says it is complete")
  void history() throws Exception {
    RoomKey task = room("task");
    for (int i = 0; i < 5; i++) {
      publish(draft(null, task));
    }
    History history = onContext(() -> broker.history(task, 2, 100));
    assertThat(history.frames()).extracting(RoomFrame::offset).containsExactly(3L, 4L, 5L);
    assertThat(history.complete()).isTrue();
    assertThat(history.position().offset()).isEqualTo(5);
    History upToDate = onContext(() -> broker.history(task, 5, 100));
    assertThat(upToDate.frames()).isEmpty();
    assertThat(upToDate.complete()).isTrue();
  }

  @Test
  @DisplayName("history keeps the last N frames: resuming inside them is complete, before them is not")
  void historyBoundedByLength() throws Exception {
    RoomKey task = room("task");
    for (int i = 0; i < POLICY.size() + 20; i++) {
      publish(draft(null, task));
    }
    History tooOld = onContext(() -> broker.history(task, 5, 1000));
    assertThat(tooOld.complete()).isFalse();
    History recent = onContext(() -> broker.history(task, 20, 1000));
    assertThat(recent.complete()).isTrue();
    assertThat(recent.frames()).extracting(RoomFrame::offset).startsWith(21L).endsWith(70L);
  }

  @Test
  @DisplayName("history leaves out frames older than the max age: resuming before them is not complete, after them is")
  void historyBoundedByAge() throws Exception {
    Broker shortMemory = onContext(() -> Future.succeededFuture(create(vertx,
        new HistoryPolicy(50, Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofDays(1)))));
    try {
      RoomKey task = room("task");
      onContext(() -> shortMemory.publish(draft(null, task)));
      onContext(() -> shortMemory.publish(draft(null, task)));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
          .until(() -> onContext(() -> shortMemory.history(task, 0, 100)).frames().isEmpty());
      onContext(() -> shortMemory.publish(draft(null, task)));
      History fromStart = onContext(() -> shortMemory.history(task, 0, 100));
      assertThat(fromStart.frames()).extracting(RoomFrame::offset).containsExactly(3L);
      assertThat(fromStart.complete()).isFalse();
      History afterAged = onContext(() -> shortMemory.history(task, 2, 100));
      assertThat(afterAged.frames()).extracting(RoomFrame::offset).containsExactly(3L);
      assertThat(afterAged.complete()).isTrue();
    } finally {
      onContext(shortMemory::close);
    }
  }

  @Test
  @DisplayName("a room nobody published to has no epoch and offset 0")
  void emptyRoom() throws Exception {
    assertThat(onContext(() -> broker.position(room("thread")))).isEqualTo(RoomPosition.EMPTY);
  }

  @Test
  @DisplayName("subscribed rooms' frames reach the listener in offset order; other rooms' do not")
  void liveDelivery() throws Exception {
    RoomKey watched = room("task");
    RoomKey other = room("run");
    onContext(() -> broker.subscribe(watched));
    for (int i = 0; i < 20; i++) {
      publish(draft(null, watched, other));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() >= 20);
    assertThat(delivered).extracting(RoomFrame::room).containsOnly(watched);
    assertThat(delivered).extracting(RoomFrame::offset)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 20).mapToObj(i -> (long) i).toList());
  }

  @Test
  @DisplayName("after unsubscribe no more frames of the room arrive")
  void unsubscribe() throws Exception {
    RoomKey watched = room("task");
    RoomKey marker = room("flowchart");
    onContext(() -> broker.subscribe(watched));
    onContext(() -> broker.subscribe(marker));
    onContext(() -> broker.unsubscribe(watched));
    publish(draft(null, watched));
    publish(draft(null, marker));
    await().atMost(Duration.ofSeconds(10)).until(() -> !delivered.isEmpty());
    assertThat(delivered).extracting(RoomFrame::room).containsExactly(marker);
  }
}

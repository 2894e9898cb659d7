package studio.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.Addresses;
import studio.contract.bus.RealtimePublisher;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.EntityKind;
import studio.contract.envelope.Envelope;
import studio.contract.envelope.EventType;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.hub.HubConfig;
import studio.hub.HubVerticle;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.database.DatabaseConfig;
import studio.runtime.service.ServiceContext;
import studio.testsupport.TestInfrastructure;

/** The outbox against real PostgreSQL and a real hub on real Redis. */
@ExtendWith(VertxExtension.class)
class OutboxRelayTest {
  private Vertx vertx;
  private Pool pool;
  private final List<OutboxRelay> relays = new ArrayList<>();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final String entity = UUID.randomUUID().toString().substring(0, 8);
  private final String room = "task:" + entity;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    DatabaseConfig database = new DatabaseConfig(TestInfrastructure.databaseUrl(), null, 4, Duration.ofSeconds(5), 3);
    join(Database.migrate(vertx, database));
    pool = Database.pool(vertx, database);
    join(pool.query("CREATE TABLE IF NOT EXISTS demo_task (id TEXT PRIMARY KEY, status TEXT, version BIGINT)").execute());
    join(pool.query("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL").execute());
  }

  @AfterEach
  void tearDown() {
    relays.forEach(OutboxRelay::stop);
  }

  private static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private void deployHub() throws Exception {
    Map<String, Object> values = new HashMap<>(Map.of("REDIS_URL", TestInfrastructure.redisUrl(),
        "STUDIO_HTTP_HOST", "127.0.0.1", "STUDIO_HUB_PORT", "0"));
    Settings settings = Settings.of(values);
    join(vertx.deployVerticle(new HubVerticle(
        new ServiceContext(CommonConfig.from(settings, false), null), HubConfig.from(settings))));
  }

  private OutboxRelay relay() {
    OutboxRelay relay = new OutboxRelay(vertx, pool, new RealtimePublisher(vertx, Duration.ofSeconds(2)),
        Duration.ofMillis(100), metrics);
    relays.add(relay);
    relay.start();
    return relay;
  }

  private DraftEvent draft(String status, long version) {
    return DraftEvent.fromJson(new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task")
        .put("entity_id", entity).put("room_keys", new JsonArray().add(room))
        .put("payload", new JsonObject().put("status", status)).put("entity_version", version));
  }

  /** A producer's state change: the row and its event in one transaction. */
  private Future<Long> changeState(String status, long version, boolean commit) {
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO demo_task (id, status, version) VALUES ($1, $2, $3) "
                + "ON CONFLICT (id) DO UPDATE SET status = $2, version = $3")
        .execute(Tuple.of(entity, status, version))
        .compose(updated -> Outbox.append(tx, draft(status, version)))
        .compose(id -> commit ? Future.succeededFuture(id) : Future.failedFuture("rolled back on purpose")));
  }

  private Row outboxRow(long id) throws Exception {
    return join(pool.preparedQuery("SELECT * FROM outbox WHERE id = $1").execute(Tuple.of(id))).iterator().next();
  }

  @Test
  @DisplayName("a committed state change's event is published with its entity version and the row marked sent")
  void publishesCommitted() throws Exception {
    deployHub();
    long id = join(changeState("running", 1, true));
    relay().wake();
    await().atMost(Duration.ofSeconds(10)).until(() -> outboxRow(id).getValue("sent_at") != null);
    JsonObject envelope = outboxRow(id).getJsonObject("envelope");
    assertThat(envelope.getLong("entity_version")).isEqualTo(1);
    assertThat(envelope.getString("idempotency_key")).isEqualTo("outbox:" + id);
    assertThat(envelope.getJsonObject("payload").getString("status")).isEqualTo("running");
  }

  @Test
  @DisplayName("a rolled-back state change leaves no event behind")
  void rollbackLeavesNothing() throws Exception {
    long before = join(pool.query("SELECT count(*) AS n FROM outbox").execute()).iterator().next().getLong("n");
    assertThat(changeState("running", 1, false).toCompletionStage().toCompletableFuture()
        .handle((id, error) -> error).get(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(join(pool.query("SELECT count(*) AS n FROM outbox").execute()).iterator().next().getLong("n"))
        .isEqualTo(before);
  }

  @Test
  @DisplayName("a draft without entity_version is refused at append time")
  void versionRequired() throws Exception {
    DraftEvent unversioned = DraftEvent.fromJson(draft("x", 1).toJson().put("entity_version", (Object) null));
    Throwable failure = pool.withTransaction(tx -> Outbox.append(tx, unversioned)).toCompletionStage()
        .toCompletableFuture().handle((id, error) -> error).get(10, TimeUnit.SECONDS);
    assertThat(failure).hasMessageContaining("entity_version");
  }

  @Test
  @DisplayName("while no hub runs, rows stay pending with attempts and the error; once a hub is up they go out once")
  void survivesHubOutage() throws Exception {
    long id = join(changeState("queued", 1, true));
    relay().wake();
    await().atMost(Duration.ofSeconds(10)).until(() -> outboxRow(id).getInteger("attempts") >= 1);
    assertThat(outboxRow(id).getValue("sent_at")).isNull();
    assertThat(outboxRow(id).getString("last_error")).contains("no socket hub");
    deployHub();
    await().atMost(Duration.ofSeconds(30)).until(() -> outboxRow(id).getValue("sent_at") != null);
    assertThat(outboxRow(id).getJsonObject("envelope").getLong("sequence")).isPositive();
  }

  private double gauge(String name) {
    var gauge = metrics.find(name).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  @Test
  @DisplayName("the backlog gauges show rows waiting and the oldest one's age while no hub runs, and drop to 0 once they go out")
  void backlogGauges() throws Exception {
    long id = join(changeState("queued", 1, true));
    join(pool.preparedQuery("UPDATE outbox SET created_at = now() - interval '90 seconds' WHERE id = $1").execute(Tuple.of(id)));
    relay();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(gauge("studio_outbox_pending")).isGreaterThanOrEqualTo(1);
      assertThat(gauge("studio_outbox_oldest_pending_age_seconds")).isBetween(90.0, 600.0);
    });
    deployHub();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(gauge("studio_outbox_pending")).isZero();
      assertThat(gauge("studio_outbox_oldest_pending_age_seconds")).isZero();
    });
  }

  @Test
  @DisplayName("a relay that stops removes its gauges; another relay of the process brings them back")
  void gaugesOutliveOneRelay() throws Exception {
    OutboxRelay first = relay();
    relay();
    await().atMost(Duration.ofSeconds(10)).until(() -> metrics.find("studio_outbox_pending").gauge() != null);
    first.stop();
    assertThat(metrics.find("studio_outbox_pending").gauge()).isNull();
    await().atMost(Duration.ofSeconds(15)).until(() -> metrics.find("studio_outbox_pending").gauge() != null);
  }

  @Test
  @DisplayName("a row published just before a crash (never marked sent) goes out again and the hub deduplicates it")
  void republishAfterCrashIsDeduplicated() throws Exception {
    deployHub();
    long id = join(changeState("running", 1, true));
    DraftEvent asPublishedBeforeCrash = DraftEvent.fromJson(draft("running", 1).toJson()
        .put("idempotency_key", "outbox:" + id));
    String firstEventId = join(new RealtimePublisher(vertx).publish(asPublishedBeforeCrash)).eventId().toString();
    relay().wake();
    await().atMost(Duration.ofSeconds(10)).until(() -> outboxRow(id).getValue("sent_at") != null);
    assertThat(outboxRow(id).getJsonObject("envelope").getString("event_id")).isEqualTo(firstEventId);
    assertThat(outboxRow(id).getJsonObject("envelope").getLong("sequence")).isEqualTo(1);
  }

  /** Inserted as a row written before producers checked drafts would be: no validation on the way in. */
  private long insertRaw(JsonObject draft) throws Exception {
    return join(pool.preparedQuery("INSERT INTO outbox (draft) VALUES ($1) RETURNING id").execute(Tuple.of(draft)))
        .iterator().next().getLong("id");
  }

  private long deadLettered() {
    return Math.round(metrics.counter("studio_outbox_dead_lettered").count());
  }

  @Test
  @DisplayName("rows that can never be published (too large, invalid) are dead-lettered; the rows after them go out in order")
  void poisonRowsAreDeadLettered() throws Exception {
    deployHub();
    long tooLarge = insertRaw(draft("huge", 1).toJson().put("payload", new JsonObject().put("text", "x".repeat(70_000))));
    long first = join(changeState("running", 2, true));
    long invalid = insertRaw(new JsonObject().put("event_type", "no.such.type").put("entity_kind", "task"));
    long second = join(changeState("succeeded", 3, true));
    relay().wake();
    await().atMost(Duration.ofSeconds(20)).until(() -> outboxRow(second).getValue("sent_at") != null);

    assertThat(outboxRow(first).getJsonObject("envelope").getLong("sequence")).isEqualTo(1);
    assertThat(outboxRow(second).getJsonObject("envelope").getLong("sequence")).isEqualTo(2);
    Row large = outboxRow(tooLarge);
    assertThat(large.getValue("dead_at")).isNotNull();
    assertThat(large.getValue("sent_at")).isNull();
    assertThat(large.getString("last_error")).contains("too_large").contains("limit is " + DraftEvent.MAX_BODY_BYTES);
    assertThat(outboxRow(invalid).getValue("dead_at")).isNotNull();
    assertThat(outboxRow(invalid).getString("last_error")).contains("invalid_draft").contains("event_type");
    assertThat(deadLettered()).isEqualTo(2);
  }

  /** Stands in for the hub: refuses one entity for good, is briefly unavailable, sequences the rest. */
  private List<String> fakeHub(String refusedEntity, int unavailableAnswers) {
    List<String> published = new CopyOnWriteArrayList<>();
    int[] unavailable = {unavailableAnswers};
    long[] sequence = {0};
    vertx.eventBus().<JsonObject>consumer(Addresses.PUBLISH, message -> {
      DraftEvent draft = DraftEvent.fromJson(message.body());
      if (unavailable[0]-- > 0) {
        message.fail(ErrorCode.UNAVAILABLE.failureCode(), "could not sequence the event: Redis is down");
      } else if (draft.entityId().equals(refusedEntity)) {
        message.fail(ErrorCode.INVALID_ROOM.failureCode(), "room_keys[0]: this hub refuses the room");
      } else {
        published.add(draft.payload().getString("status"));
        message.reply(Envelope.sequenced(draft, UUID.randomUUID(), ++sequence[0], Instant.now()).toJson());
      }
    });
    return published;
  }

  @Test
  @DisplayName("a row the hub refuses for good is dead-lettered; transient refusals are retried and lose nothing")
  void hubRefusalIsDeadLettered() throws Exception {
    String refused = "refused" + entity;
    List<String> published = fakeHub(refused, 2);
    long first = join(changeState("one", 1, true));
    long poison = join(pool.withTransaction(tx -> Outbox.append(tx, DraftEvent.fromJson(draft("two", 2).toJson()
        .put("entity_id", refused)))));
    long third = join(changeState("three", 3, true));
    relay().wake();
    await().atMost(Duration.ofSeconds(20)).until(() -> outboxRow(third).getValue("sent_at") != null);

    assertThat(published).containsExactly("one", "three");
    assertThat(outboxRow(first).getInteger("attempts")).as("retried after the transient failures").isEqualTo(3);
    assertThat(outboxRow(poison).getValue("dead_at")).isNotNull();
    assertThat(outboxRow(poison).getString("last_error")).contains("invalid_room").contains("refuses the room");
    assertThat(deadLettered()).isEqualTo(1);
  }

  @Test
  @DisplayName("Outbox.append refuses a draft over the size limit with too_large, and the producer's transaction rolls back")
  void appendRefusesOversizedDraft() throws Exception {
    long before = join(pool.query("SELECT count(*) AS n FROM outbox").execute()).iterator().next().getLong("n");
    DraftEvent oversized = new DraftEvent(EventType.NODE_TASK_UPDATED, EntityKind.TASK, entity,
        List.of(RoomKey.parse(room)), null, new JsonObject().put("text", "x".repeat(70_000)), null, 1L);
    Throwable failure = pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO demo_task (id, status, version) "
                + "VALUES ($1, 'huge', 1)").execute(Tuple.of(entity))
            .compose(inserted -> Outbox.append(tx, oversized)))
        .toCompletionStage().toCompletableFuture().handle((id, error) -> error).get(10, TimeUnit.SECONDS);

    assertThat(failure).isInstanceOf(ContractException.class);
    assertThat(((ContractException) failure).code()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(failure).hasMessageContaining("limit is " + DraftEvent.MAX_BODY_BYTES);
    assertThat(join(pool.preparedQuery("SELECT count(*) AS n FROM demo_task WHERE id = $1").execute(Tuple.of(entity)))
        .iterator().next().getLong("n")).as("the state change rolled back").isZero();
    assertThat(join(pool.query("SELECT count(*) AS n FROM outbox").execute()).iterator().next().getLong("n"))
        .isEqualTo(before);
  }

  @Test
  @DisplayName("two relays publish 200 rows exactly once each, in row order")
  void twoRelaysInOrder() throws Exception {
    deployHub();
    List<Long> ids = new ArrayList<>();
    for (int version = 1; version <= 200; version++) {
      ids.add(join(changeState("step-" + version, version, true)));
    }
    relay();
    relay();
    await().atMost(Duration.ofSeconds(30)).until(() -> join(pool.preparedQuery(
        "SELECT count(*) AS n FROM outbox WHERE id = ANY($1) AND sent_at IS NOT NULL")
        .execute(Tuple.of(ids.toArray(Long[]::new)))).iterator().next().getLong("n") == 200);
    List<Long> sequences = new ArrayList<>();
    for (long id : ids) {
      sequences.add(outboxRow(id).getJsonObject("envelope").getLong("sequence"));
    }
    assertThat(sequences).as("sequence follows row order").isSorted().doesNotHaveDuplicates();
    assertThat(sequences).containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj(i -> (long) i).toList());
  }
}

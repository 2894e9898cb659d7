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
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;
import studio.contract.frame.FrameOp;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;
import studio.testsupport.TestInfrastructure;

/**
 * The event frame is rendered twice: in Lua by {@code publish.lua} (what Redis stores in a room's
 * history and publishes to other replicas) and in Java by {@link Frames#event} (what the publishing
 * replica delivers itself). Clients and {@link FrameHeader} must not be able to tell them apart.
 */
@ExtendWith(VertxExtension.class)
class PublishScriptFrameTest {
  /** Past what a 32-bit integer holds. */
  private static final long PAST_INT = (1L << 31) + 5;
  /** Past what Lua 5.1 prints as an integer by default ({@code %.14g}), still a JavaScript-safe integer. */
  private static final long PAST_LUA_DEFAULT = (1L << 53) - 20;

  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final Map<RoomKey, String> published = new ConcurrentHashMap<>();
  private Vertx vertx;
  private Context context;
  private Redis redis;
  private RedisBroker broker;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    context = vertx.getOrCreateContext();
    RedisConfig config = new RedisConfig(TestInfrastructure.redisUrl(), 2);
    redis = RedisConnector.client(vertx, config);
    Redis dedicated = Redis.createClient(vertx, RedisConnector.options(config));
    broker = onContext(() -> Future.succeededFuture(new RedisBroker(vertx, redis, dedicated::connect,
        new HistoryPolicy(50, Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofDays(1)))));
    broker.listener(new BrokerListener() {
      @Override
      public void onFrame(RoomFrame frame) {
        published.put(frame.room(), frame.frame());
      }

      @Override
      public void onResubscribed() {
      }
    });
  }

  @AfterEach
  void stop() throws Exception {
    onContext(() -> broker.close());
  }

  @Test
  @DisplayName("publish.lua stores and publishes the frame Frames.event renders, byte for byte: unicode, escapes, offsets past 2^31")
  void luaFrameEqualsJavaFrame() throws Exception {
    assertLuaFrameEqualsJavaFrame(draft -> broker.publish(draft));
  }

  @Test
  @DisplayName("publish_batch.lua renders the same frames, byte for byte")
  void batchLuaFrameEqualsJavaFrame() throws Exception {
    assertLuaFrameEqualsJavaFrame(draft -> broker.publishBatch(List.of(draft)).map(publications -> publications.get(0)));
  }

  private void assertLuaFrameEqualsJavaFrame(Function<DraftEvent, Future<Publication>> publisher) throws Exception {
    RoomKey task = RoomKey.parse("task:" + id);
    RoomKey run = RoomKey.parse("run:" + id);
    startRoomAt(task, "e-int", PAST_INT);
    startRoomAt(run, "e-lua", PAST_LUA_DEFAULT);
    send(Request.cmd(Command.SET).arg(RedisKeys.sequence("task:" + id)).arg(PAST_LUA_DEFAULT));
    onContext(() -> Future.all(broker.subscribe(task), broker.subscribe(run)));

    Publication publication = onContext(() -> publisher.apply(hostileDraft(task, run)));

    Envelope envelope = publication.envelope();
    assertThat(envelope.sequence()).isEqualTo(PAST_LUA_DEFAULT + 1);
    assertThat(publication.rooms()).extracting(RoomFrame::offset).containsExactly(PAST_INT + 1, PAST_LUA_DEFAULT + 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> published.size() == 2);
    for (RoomFrame room : publication.rooms()) {
      String java = Frames.event(room.room().toString(), room.offset(), room.epoch(), envelope.toJson().encode());
      assertThat(room.frame()).isEqualTo(java);
      assertThat(published.get(room.room())).as("published by Lua to %s", room.room()).isEqualTo(java);
      assertThat(stored(room.room(), room.offset())).as("stored by Lua for %s", room.room())
          .isEqualTo(java.getBytes(StandardCharsets.UTF_8));
      assertThat(java).as("Frames.event is what a JSON encoder writes for the same frame")
          .isEqualTo(new JsonObject().put(Frames.OP, FrameOp.EVENT.wire()).put(Frames.ROOM, room.room().toString())
              .put(Frames.OFFSET, room.offset()).put(Frames.EPOCH, room.epoch()).put(Frames.EVENT, envelope.toJson())
              .encode());
      assertThat(FrameHeader.parse(published.get(room.room()))).isEqualTo(new FrameHeader(room.offset(), room.epoch()));
    }
    assertThat(Envelope.fromJson(new JsonObject(published.get(task)).getJsonObject(Frames.EVENT))).isEqualTo(envelope);
  }

  @Test
  @DisplayName("history after an offset Lua would print in exponent form returns the frames after it")
  void historyAfterLargeOffset() throws Exception {
    RoomKey task = RoomKey.parse("task:" + id);
    startRoomAt(task, "e-big", PAST_LUA_DEFAULT);
    Publication first = onContext(() -> broker.publish(hostileDraft(task)));
    Publication second = onContext(() -> broker.publish(hostileDraft(task)));

    History history = onContext(() -> broker.history(task, PAST_LUA_DEFAULT + 1, 10));

    assertThat(first.rooms().get(0).offset()).isEqualTo(PAST_LUA_DEFAULT + 1);
    assertThat(history.position()).isEqualTo(new RoomPosition(PAST_LUA_DEFAULT + 2, "e-big"));
    assertThat(history.frames()).extracting(RoomFrame::frame).containsExactly(second.rooms().get(0).frame());
  }

  /** Text that JSON must escape or that is not ASCII, in every producer-given string of the envelope. */
  private DraftEvent hostileDraft(RoomKey... rooms) {
    String text = "é ü 中文 😀 \"quoted\" back\\slash \n\t\r \u0001\u001f </script> \u2028\u2029 \u007f";
    JsonArray roomKeys = new JsonArray();
    for (RoomKey room : rooms) {
      roomKeys.add(room.toString());
    }
    return DraftEvent.fromJson(new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task")
        .put("entity_id", id).put("room_keys", roomKeys)
        .put("idempotency_key", "ключ \"" + UUID.randomUUID() + "\"")
        .put("runtime", new JsonObject().put("provider", text))
        .put("payload", new JsonObject().put("text", text).put("big", Long.MAX_VALUE).put("neg", -1.5e-7)
            .put("list", new JsonArray().add(text).add(true).addNull())));
  }

  /** Makes the room's next offset {@code offset + 1} in {@code epoch}, as if that many events had gone before. */
  private void startRoomAt(RoomKey room, String epoch, long offset) throws Exception {
    send(Request.cmd(Command.HSET).arg(RedisKeys.meta(room)).arg("epoch").arg(epoch).arg("offset").arg(offset));
  }

  /** The frame's raw bytes as Redis holds them in the room's history. */
  private byte[] stored(RoomKey room, long offset) throws Exception {
    Response entries = send(Request.cmd(Command.XRANGE).arg(RedisKeys.history(room)).arg(offset + "-1").arg(offset + "-1"));
    Response fields = entries.get(0).get(1);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if ("f".equals(fields.get(i).toString())) {
        return fields.get(i + 1).toBytes();
      }
    }
    throw new AssertionError("no frame stored for " + room + " at " + offset + ": " + entries);
  }

  private Response send(Request request) throws Exception {
    return onContext(() -> redis.send(request));
  }

  private <T> T onContext(Supplier<Future<T>> action) throws Exception {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(promise));
    return promise.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

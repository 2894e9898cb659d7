package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.Addresses;
import studio.contract.bus.RealtimePublisher;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomCursor;
import studio.contract.room.RoomKey;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.RealtimeClient;

/** The single-process hub without Redis: same protocol, same resume semantics. */
@ExtendWith(VertxExtension.class)
class MemoryBrokerHubTest {

  @Test
  @DisplayName("with STUDIO_RT_BROKER=memory, events are sequenced, delivered and resumable with no Redis at all")
  void worksWithoutRedis(Vertx vertx) throws Exception {
    HubNode node = HubNode.deploy(vertx, Map.of("STUDIO_RT_BROKER", "memory", "REDIS_URL", "redis://127.0.0.1:1"));
    String room = "thread:memory";
    RealtimeClient first = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, room));
    first.awaitReply(first.subscribe(room));
    node.publish(HubNode.draft("memory", room));
    first.awaitEvents(room, 1);
    JsonObject seen = first.events(room).get(0);
    first.close();
    node.publish(HubNode.draft("memory", room));
    node.publish(HubNode.draft("memory", room));

    RealtimeClient second = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, room));
    JsonObject since = new JsonObject().put(room, new JsonObject().put("offset", seen.getLong("offset"))
        .put("epoch", seen.getString("epoch")));
    JsonObject ack = second.awaitReply(second.subscribe(since, room));
    assertThat(ack.getJsonObject("rooms").getJsonObject(room).getBoolean("recovered")).isTrue();
    second.awaitEvents(room, 2);
    assertThat(second.events(room)).extracting(e -> e.getLong("offset")).containsExactly(2L, 3L);
    assertThat(second.events(room).get(1).getJsonObject("event").getLong("sequence")).isEqualTo(3);
  }

  @Test
  @DisplayName("studio.rt.positions answers each room's offset and epoch (0 and null before any event)")
  void positions(Vertx vertx) throws Exception {
    HubNode node = HubNode.deploy(vertx, Map.of("STUDIO_RT_BROKER", "memory", "REDIS_URL", "redis://127.0.0.1:1"));
    node.publish(HubNode.draft("positions", "task:p1"));
    JsonObject second = node.publish(HubNode.draft("positions", "task:p1"));
    RealtimePublisher hub = new RealtimePublisher(vertx);

    List<RoomCursor> cursors = hub.positions(List.of(RoomKey.parse("task:p1"), RoomKey.parse("task:never")))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(second.getLong("sequence")).isEqualTo(2);
    assertThat(cursors).hasSize(2);
    assertThat(cursors.get(0).room()).isEqualTo("task:p1");
    assertThat(cursors.get(0).offset()).isEqualTo(2);
    assertThat(cursors.get(0).epoch()).isNotBlank();
    assertThat(cursors.get(1)).isEqualTo(new RoomCursor("task:never", 0, null));
  }

  @Test
  @DisplayName("studio.rt.positions refuses a malformed room with invalid_room")
  void positionsOfBadRoom(Vertx vertx) throws Exception {
    HubNode.deploy(vertx, Map.of("STUDIO_RT_BROKER", "memory", "REDIS_URL", "redis://127.0.0.1:1"));
    JsonObject body = new JsonObject().put("rooms", new JsonArray().add("nope:1"));
    Throwable failure = vertx.eventBus().request(Addresses.ROOM_POSITIONS, body)
        .map(reply -> (Throwable) null).otherwise(error -> error)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureCode()).isEqualTo(ErrorCode.INVALID_ROOM.failureCode());
    assertThat(failure.getMessage()).contains("unknown room prefix");
  }
}

package studio.hub.positions;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import studio.contract.bus.Addresses;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomCursor;
import studio.contract.room.RoomKey;
import studio.hub.broker.Broker;

/** {@code studio.rt.positions}: where rooms stand, for hydration endpoints (the hub alone knows, whatever the broker). */
public final class PositionsEndpoint {
  /** Bounds one request so a page listing cannot make the hub read thousands of keys at once. */
  public static final int MAX_ROOMS = 200;

  private PositionsEndpoint() {
  }

  public static Future<MessageConsumer<JsonObject>> register(Vertx vertx, Broker broker) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.ROOM_POSITIONS,
        message -> answer(broker, message));
    return consumer.completion().map(consumer);
  }

  private static void answer(Broker broker, Message<JsonObject> message) {
    List<RoomKey> rooms;
    try {
      rooms = parse(message.body());
    } catch (ContractException refused) {
      message.fail(refused.code().failureCode(), refused.getMessage());
      return;
    }
    List<Future<RoomCursor>> cursors = new ArrayList<>();
    for (RoomKey room : rooms) {
      cursors.add(broker.position(room).map(position -> new RoomCursor(room.toString(), position.offset(),
          position.epoch())));
    }
    Future.all(cursors)
        .onSuccess(all -> {
          JsonArray positions = new JsonArray();
          cursors.forEach(cursor -> positions.add(cursor.result().toJson()));
          message.reply(new JsonObject().put("positions", positions));
        })
        .onFailure(failure -> message.fail(ErrorCode.UNAVAILABLE.failureCode(),
            "room positions unavailable: " + failure.getMessage()));
  }

  private static List<RoomKey> parse(JsonObject body) {
    JsonArray names = body == null ? null : body.getJsonArray("rooms");
    if (names == null) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "rooms", "expected {\"rooms\": [\"task:1\", ...]}");
    }
    if (names.size() > MAX_ROOMS) {
      throw new ContractException(ErrorCode.TOO_LARGE, "rooms", "at most " + MAX_ROOMS + " rooms per request");
    }
    List<RoomKey> rooms = new ArrayList<>();
    for (Object name : names) {
      rooms.add(RoomKey.parse(String.valueOf(name)));
    }
    return rooms;
  }
}

package studio.web.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Supplier;
import studio.contract.bus.RealtimePublisher;
import studio.contract.room.RoomCursor;
import studio.contract.room.RoomKey;

/**
 * First paint without a gap: reads the rooms' cursors from the hub <em>before</em> reading the state
 * the page renders, then answers both. The page subscribes with {@code since} = those cursors; an
 * event committed between the two reads is delivered again and dropped by its entity version (the
 * state already shows it), so the page neither misses an event nor rolls back to an older state.
 */
public final class Hydration {
  private Hydration() {
  }

  /** {@code state} must carry the entity's {@code version}; the answer adds {@code "rooms": {name: {offset, epoch}}}. */
  public static Future<JsonObject> read(RealtimePublisher hub, List<RoomKey> rooms, Supplier<Future<JsonObject>> state) {
    return hub.positions(rooms).compose(cursors -> state.get().map(snapshot -> withCursors(snapshot, cursors)));
  }

  private static JsonObject withCursors(JsonObject snapshot, List<RoomCursor> cursors) {
    JsonObject byRoom = new JsonObject();
    cursors.forEach(cursor -> byRoom.put(cursor.room(),
        new JsonObject().put("offset", cursor.offset()).put("epoch", cursor.epoch())));
    return snapshot.copy().put("rooms", byRoom);
  }
}

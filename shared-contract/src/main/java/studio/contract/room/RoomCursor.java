package studio.contract.room;

import io.vertx.core.json.JsonObject;

/**
 * Where a room stands: its last offset and epoch (null epoch: no event yet). A page reads the cursor
 * before it reads the state it renders, then subscribes with {@code since} = this cursor; an event
 * between the two reads arrives again and is dropped by its entity version, so nothing is missed.
 */
public record RoomCursor(String room, long offset, String epoch) {
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("offset", offset).put("epoch", epoch);
  }

  public static RoomCursor fromJson(JsonObject json) {
    return new RoomCursor(json.getString("room"), json.getLong("offset", 0L), json.getString("epoch"));
  }
}

package studio.hub.resume;

import io.vertx.core.json.JsonObject;
import java.util.List;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;
import studio.hub.broker.RoomFrame;

/**
 * Where a client's delivery in one room starts: after {@code offset} in {@code epoch}, first the
 * {@code replay} (contiguous from {@code offset + 1}), then live frames. {@code recovered} answers
 * the client's resume point: true (nothing missed), false (re-read state, then continue from here),
 * or null when it gave none.
 */
public record RoomStart(RoomKey room, long offset, String epoch, Boolean recovered, List<RoomFrame> replay) {
  public RoomStart {
    replay = List.copyOf(replay);
  }

  /** Whether a live frame carries the room past this start: a higher offset, or a new epoch. */
  public boolean continuedBy(RoomFrame frame) {
    return frame.offset() > offset || (epoch != null && !epoch.equals(frame.epoch()));
  }

  /** The room's entry in an ack or a long-poll answer. */
  public JsonObject toJson() {
    return Frames.roomPosition(offset, epoch, recovered);
  }
}

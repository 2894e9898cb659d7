package studio.hub.session;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.frame.FrameOp;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;
import studio.hub.resume.ResumePoint;

/** A decoded client frame (docs/protocol.md "Frames"); every malformation is a catalogue error. */
record ClientFrame(String op, String id, JsonObject json) {
  static final int MAX_ROOMS_PER_FRAME = 100;

  static ClientFrame parse(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new ContractException(ErrorCode.BAD_FRAME, "frame is not a JSON object");
    }
    Object op = json.getValue(Frames.OP);
    if (!(op instanceof String name)) {
      throw new ContractException(ErrorCode.BAD_FRAME, Frames.OP, "a string \"op\" is required");
    }
    Object id = json.getValue(Frames.ID);
    if (id != null && !(id instanceof String) && !(id instanceof Number)) {
      throw new ContractException(ErrorCode.BAD_FRAME, Frames.ID, "must be a string or a number");
    }
    return new ClientFrame(name, id == null ? null : String.valueOf(id), json);
  }

  /** The op a client may send; anything else is {@code unknown_op}. */
  FrameOp clientOp() {
    return FrameOp.fromClient(op).orElseThrow(() -> unknownOp(op));
  }

  static ContractException unknownOp(String op) {
    return new ContractException(ErrorCode.UNKNOWN_OP, Frames.OP,
        "unknown op \"" + op + "\" (expected one of " + FrameOp.clientOpNames() + ")");
  }

  List<RoomKey> rooms() {
    Object value = json.getValue(Frames.ROOMS);
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_ROOMS_PER_FRAME) {
      throw new ContractException(ErrorCode.BAD_FRAME, Frames.ROOMS,
          "must be an array of 1-" + MAX_ROOMS_PER_FRAME + " room keys");
    }
    List<RoomKey> rooms = new ArrayList<>();
    for (Object room : array) {
      if (!(room instanceof String key)) {
        throw new ContractException(ErrorCode.INVALID_ROOM, Frames.ROOMS, "room keys must be strings");
      }
      RoomKey parsed = RoomKey.parse(key);
      if (!rooms.contains(parsed)) {
        rooms.add(parsed);
      }
    }
    return rooms;
  }

  Map<RoomKey, ResumePoint> since() {
    return ResumePoint.parseAll(json.getValue(Frames.SINCE), ErrorCode.BAD_FRAME);
  }

  String token() {
    Object token = json.getValue(Frames.TOKEN);
    if (!(token instanceof String text) || text.isBlank()) {
      throw new ContractException(ErrorCode.BAD_FRAME, Frames.TOKEN, "a string \"token\" is required");
    }
    return text;
  }
}

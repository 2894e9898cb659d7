package studio.hub.resume;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.frame.Frames;
import studio.contract.json.JsonFields;
import studio.contract.room.RoomKey;
import studio.hub.broker.RoomPosition;

/**
 * Where a client says it stands in one room: the last offset it has and the epoch that offset
 * belongs to. Parsed here, once, for the subscribe frame and the long-poll query alike.
 */
public record ResumePoint(long offset, String epoch) {
  /** Offsets travel through JavaScript numbers: anything above 2^53 - 1 cannot be a real offset. */
  public static final long MAX_OFFSET = JsonFields.MAX_EXACT_INTEGER;
  private static final int MAX_EPOCH_LENGTH = 64;

  /**
   * Reads {@code {"<room>": {"offset": <int>, "epoch": <string>}, ...}}; null means no resume points.
   * Every malformation is refused with {@code code}, naming the field (e.g. {@code since.task:42.offset}).
   */
  public static Map<RoomKey, ResumePoint> parseAll(Object since, ErrorCode code) {
    if (since == null) {
      return Map.of();
    }
    if (!(since instanceof JsonObject object)) {
      throw new ContractException(code, Frames.SINCE, "must be an object of room -> {\"offset\": <integer>, \"epoch\": <string>}");
    }
    Map<RoomKey, ResumePoint> points = new LinkedHashMap<>();
    for (String room : object.fieldNames()) {
      RoomKey key;
      try {
        key = RoomKey.parse(room);
      } catch (ContractException e) {
        throw new ContractException(code, Frames.SINCE + "." + room, e.getMessage());
      }
      points.put(key, parse(Frames.SINCE + "." + room, object.getValue(room), code));
    }
    return points;
  }

  private static ResumePoint parse(String field, Object value, ErrorCode code) {
    if (!(value instanceof JsonObject point)) {
      throw new ContractException(code, field, "must be {\"offset\": <integer>, \"epoch\": <string>}");
    }
    Object offset = point.getValue(Frames.OFFSET);
    if (!(offset instanceof Integer || offset instanceof Long) || ((Number) offset).longValue() < 0
        || ((Number) offset).longValue() > MAX_OFFSET) {
      throw new ContractException(code, field + "." + Frames.OFFSET, "must be an integer from 0 to " + MAX_OFFSET);
    }
    Object epoch = point.getValue(Frames.EPOCH);
    if (epoch != null && (!(epoch instanceof String text) || text.isEmpty() || text.length() > MAX_EPOCH_LENGTH)) {
      throw new ContractException(code, field + "." + Frames.EPOCH, "must be null or the room's epoch string (1-"
          + MAX_EPOCH_LENGTH + " characters)");
    }
    return new ResumePoint(((Number) offset).longValue(), (String) epoch);
  }

  boolean sameEpochAs(RoomPosition position) {
    return epoch != null && epoch.equals(position.epoch());
  }

  /** The client already has everything up to {@code position}: the same offset in the same epoch, or an empty room. */
  boolean upTo(RoomPosition position) {
    return sameEpochAs(position) ? offset == position.offset() : offset == 0 && position.equals(RoomPosition.EMPTY);
  }
}

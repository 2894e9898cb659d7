package studio.contract.room;

import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * A room such as {@code task:42}. This is the only place a room string is split.
 *
 * <p>Ids are 1-64 characters of letters, digits, {@code _} and {@code -}, so a room key is safe
 * inside Redis key names, URLs and log lines without escaping.
 */
public record RoomKey(RoomKind kind, String id) {
  public static final int MAX_ID_LENGTH = 64;
  private static final char BOUNDARY = ':';

  public RoomKey {
    if (kind == null) {
      throw new IllegalArgumentException("kind is required");
    }
    if (!isValidId(id)) {
      throw new IllegalArgumentException("invalid room id: " + id);
    }
  }

  public static RoomKey of(RoomKind kind, String id) {
    return new RoomKey(kind, id);
  }

  /** Parses {@code "kind:id"}, or throws {@code invalid_room} naming what is wrong. */
  public static RoomKey parse(String value) {
    if (value == null || value.isEmpty()) {
      throw invalid("room key is empty");
    }
    int boundary = value.indexOf(BOUNDARY);
    if (boundary < 0) {
      throw invalid("room key \"" + abbreviate(value) + "\" has no ':' (expected <kind>:<id>)");
    }
    String prefix = value.substring(0, boundary);
    String id = value.substring(boundary + 1);
    RoomKind kind = RoomKind.fromPrefix(prefix)
        .orElseThrow(() -> invalid("unknown room prefix \"" + abbreviate(prefix) + "\" (expected one of "
            + RoomKind.allPrefixes() + ")"));
    if (!isValidId(id)) {
      throw invalid("room id \"" + abbreviate(id) + "\" must be 1-" + MAX_ID_LENGTH
          + " characters of letters, digits, '_' or '-'");
    }
    return new RoomKey(kind, id);
  }

  /**
   * 1-{@value #MAX_ID_LENGTH} of {@code [A-Za-z0-9_-]}. A loop, not a regex: every publish and every
   * message the hub receives from Redis parses its room keys, and the matcher showed in its profile.
   */
  public static boolean isValidId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return kind.prefix() + BOUNDARY + id;
  }

  private static ContractException invalid(String message) {
    return new ContractException(ErrorCode.INVALID_ROOM, message);
  }

  private static String abbreviate(String value) {
    return value.length() <= 80 ? value : value.substring(0, 77) + "...";
  }
}

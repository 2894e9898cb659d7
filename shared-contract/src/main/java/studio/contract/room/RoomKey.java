package studio.contract.room;

import java.util.regex.Pattern;
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
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_ID_LENGTH + "}");
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

  public static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
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

package studio.contract.room;

import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * The rooms a realtime token grants, as patterns: {@code task:42} (one room), {@code task:*}
 * (every room of a kind) or {@code *} (every room). Patterns are validated when the token is read,
 * so a typo in an issuer fails loudly instead of silently granting nothing.
 */
public record RoomGrant(List<String> patterns) {
  public static final String ANY = "*";

  public RoomGrant {
    patterns = List.copyOf(patterns);
    patterns.forEach(RoomGrant::validate);
  }

  public static RoomGrant of(String... patterns) {
    return new RoomGrant(List.of(patterns));
  }

  public boolean allows(RoomKey room) {
    for (String pattern : patterns) {
      if (pattern.equals(ANY) || pattern.equals(room.kind().prefix() + ":*") || pattern.equals(room.toString())) {
        return true;
      }
    }
    return false;
  }

  private static void validate(String pattern) {
    if (pattern == null) {
      throw new ContractException(ErrorCode.INVALID_ROOM, "room pattern is null");
    }
    if (pattern.equals(ANY)) {
      return;
    }
    if (pattern.endsWith(":*")) {
      String prefix = pattern.substring(0, pattern.length() - 2);
      if (RoomKind.fromPrefix(prefix).isEmpty()) {
        throw new ContractException(ErrorCode.INVALID_ROOM, "room pattern \"" + pattern + "\" names no room kind");
      }
      return;
    }
    RoomKey.parse(pattern);
  }
}

package studio.hub.broker;

/** Where a room stands: the last offset assigned and the epoch it belongs to (null epoch: no event yet). */
public record RoomPosition(long offset, String epoch) {
  public static final RoomPosition EMPTY = new RoomPosition(0, null);
}

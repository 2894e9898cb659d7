package studio.hub.broker;

import studio.contract.room.RoomKey;

/**
 * One event as delivered to one room: its offset and epoch there, and the complete {@code event}
 * frame, pre-encoded once by the broker so that fan-out to N clients writes the same string N times.
 */
public record RoomFrame(RoomKey room, long offset, String epoch, String frame) {
}

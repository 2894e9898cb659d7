package studio.hub.auth;

import java.time.Instant;
import studio.contract.room.RoomGrant;

/** Who a connection is, what rooms its token grants, and until when. */
public record Principal(String subject, RoomGrant grant, Instant expiresAt) {
}

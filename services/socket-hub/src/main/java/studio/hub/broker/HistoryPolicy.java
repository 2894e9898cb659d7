package studio.hub.broker;

import java.time.Duration;

/**
 * How much a broker remembers. History is bounded per room by length and age; idempotency keys are
 * remembered for a window; a room with no event for {@code roomTtl} forgets its offset and starts a
 * new epoch (its clients then re-read state instead of resuming).
 */
public record HistoryPolicy(int size, Duration maxAge, Duration idempotencyWindow, Duration roomTtl) {
}

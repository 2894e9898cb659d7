package studio.hub.resume;

import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;
import studio.contract.room.RoomKey;
import studio.hub.broker.Broker;
import studio.hub.broker.History;
import studio.hub.broker.RoomPosition;
import studio.hub.metrics.HubMetrics;

/**
 * The one rule for whether a client may continue a room from its resume point, and what it is
 * missing. WebSocket and SockJS sessions and long-poll all use it, the same way: join the room's
 * fan-out first (which fixes the position {@code joined} after which every live frame reaches the
 * listener), then ask here; the replay then covers exactly {@code (since, joined]}, so replay plus
 * live frames is contiguous: nothing missed, nothing twice.
 */
public final class Resumption {
  private final Broker broker;
  private final int historyLimit;
  private final HubMetrics metrics;

  public Resumption(Broker broker, int historyLimit, HubMetrics metrics) {
    this.broker = broker;
    this.historyLimit = historyLimit;
    this.metrics = metrics;
  }

  /** Where delivery of {@code room} starts for a client that asked to resume from {@code since} (null: no resume point). */
  public Future<RoomStart> start(RoomKey room, RoomPosition joined, ResumePoint since) {
    if (since == null) {
      return Future.succeededFuture(new RoomStart(room, joined.offset(), joined.epoch(), null, List.of()));
    }
    if (since.upTo(joined)) {
      return Future.succeededFuture(new RoomStart(room, since.offset(), joined.epoch(), true, List.of()));
    }
    if (since.sameEpochAs(joined) && since.offset() > joined.offset()) {
      // The client saw further (on another replica) than this one has forwarded yet: Redis decides.
      return broker.position(room).map(now -> since.sameEpochAs(now) && since.offset() <= now.offset()
          ? new RoomStart(room, since.offset(), since.epoch(), true, List.of())
          : refused(room, joined));
    }
    if (!since.sameEpochAs(joined) && since.offset() != 0) {
      return Future.succeededFuture(refused(room, joined));
    }
    long missing = joined.offset() - since.offset();
    if (missing > historyLimit) {
      return Future.succeededFuture(refused(room, joined));
    }
    return broker.history(room, since.offset(), (int) missing)
        .map(history -> covers(history, since, joined, missing)
            ? replayed(new RoomStart(room, since.offset(), joined.epoch(), true, history.frames()))
            : refused(room, joined));
  }

  /** Every offset in {@code (since, joined]}, in the joined epoch, and nothing trimmed. */
  private static boolean covers(History history, ResumePoint since, RoomPosition joined, long missing) {
    return history.complete() && Objects.equals(history.position().epoch(), joined.epoch())
        && history.frames().size() == missing
        && (missing == 0 || history.frames().get(0).offset() == since.offset() + 1);
  }

  private RoomStart replayed(RoomStart start) {
    metrics.replayed(start.replay().size());
    return start;
  }

  private RoomStart refused(RoomKey room, RoomPosition joined) {
    metrics.replayRefused();
    return new RoomStart(room, joined.offset(), joined.epoch(), false, List.of());
  }
}

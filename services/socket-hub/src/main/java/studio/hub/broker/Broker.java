package studio.hub.broker;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import studio.contract.envelope.DraftEvent;
import studio.contract.room.RoomKey;

/**
 * Sequencing, history and fan-out of room events. Two implementations with the same semantics:
 * {@link RedisBroker} (shared by every hub replica) and {@link InMemoryBroker} (one process).
 */
public interface Broker {
  /**
   * Atomically: if the draft's idempotency key was seen within the window, answers the first
   * publish's result with {@code duplicate=true} and changes nothing; otherwise takes the next
   * {@code sequence} of the draft's stream, then for each room the next offset, appends the frame to
   * the room's bounded history and publishes it to the room's subscribers. Every subscriber of a room
   * receives its frames in offset order (at most once per link; gaps are recoverable from history).
   */
  Future<Publication> publish(DraftEvent draft);

  /**
   * Publishes several drafts as {@link #publish} would, one after another in list order (so a room
   * gets them in that order), and answers their publications in the same order. Implementations may
   * do it in fewer round trips; if it fails part way, the drafts before the failure may be published
   * (a retry with idempotency keys completes it without duplicates).
   */
  default Future<List<Publication>> publishBatch(List<DraftEvent> drafts) {
    List<Publication> done = new ArrayList<>(drafts.size());
    Future<Void> chain = Future.succeededFuture();
    for (DraftEvent draft : drafts) {
      chain = chain.compose(previous -> publish(draft).map(publication -> {
        done.add(publication);
        return null;
      }));
    }
    return chain.map(finished -> done);
  }

  /** The room's last offset and epoch. */
  Future<RoomPosition> position(RoomKey room);

  /** Up to {@code limit} frames after {@code afterOffset}, and whether they cover everything since. */
  Future<History> history(RoomKey room, long afterOffset, int limit);

  /** Starts delivering the room's live frames to the listener; completes once delivery is active. */
  Future<Void> subscribe(RoomKey room);

  Future<Void> unsubscribe(RoomKey room);

  void listener(BrokerListener listener);

  Future<Void> close();
}

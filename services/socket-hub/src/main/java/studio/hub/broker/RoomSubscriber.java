package studio.hub.broker;

import io.vertx.core.Future;
import studio.contract.room.RoomKey;

/** Keeps this replica subscribed in Redis to exactly the rooms it has local subscribers for. */
interface RoomSubscriber {
  Future<Void> subscribe(RoomKey room);

  Future<Void> unsubscribe(RoomKey room);

  void listener(BrokerListener listener);

  Future<Void> close();

  /** Drops the pub/sub link(s) as a network fault would. */
  void dropConnection();
}

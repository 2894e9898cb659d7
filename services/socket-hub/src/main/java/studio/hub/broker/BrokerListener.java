package studio.hub.broker;

/** Receives what a broker delivers for the rooms this hub instance subscribed to. */
public interface BrokerListener {
  /** A live frame of a subscribed room. Frames may arrive twice or with gaps; the fan-out repairs both. */
  void onFrame(RoomFrame frame);

  /**
   * The broker's subscription link was lost and re-established: frames published meanwhile were
   * not delivered, so every subscribed room must catch up from history.
   */
  void onResubscribed();
}

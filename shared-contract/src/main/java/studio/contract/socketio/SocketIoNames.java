package studio.contract.socketio;

/**
 * The names a Socket.IO page uses on the hub's Socket.IO endpoint (docs/protocol.md "Socket.IO"): its
 * namespace, the events it emits (each with an ack) and the events the hub emits to it.
 */
public final class SocketIoNames {
  /** The one namespace; pages written for Flask-SocketIO connect to it. */
  public static final String NAMESPACE = "/rt";

  /** Client to hub, {@code {rooms, since?}}; acks {@code {rooms: {room: {offset, epoch, recovered} | {error}}}}. */
  public static final String SUBSCRIBE = "rt.subscribe";
  /** Client to hub, {@code {rooms}}; acks {@code {rooms: {room: {subscribed: false}}}}. */
  public static final String UNSUBSCRIBE = "rt.unsubscribe";
  /** Client to hub, no data; acks the server time and this connection's facts. */
  public static final String HEALTH = "rt.health";

  /** Hub to client, {@code {room, offset, epoch, event, conflated?}}: every event, so a page can resume. */
  public static final String EVENT = "rt.event";
  /** Hub to client, {@code {code, message}}: an error not tied to one emit. */
  public static final String ERROR = "rt.error";
  /** Hub to client, {@code {retry_after_ms}}: this replica is shutting down; the transport closes next. */
  public static final String DRAINING = "rt.draining";
  /** Hub to client, {@code {code, reason, reconnect}}: why the hub is about to close this connection. */
  public static final String CLOSING = "rt.closing";

  private SocketIoNames() {
  }
}

package studio.hub.session;

import studio.contract.error.CloseCode;

/** Where a session's outgoing frames go: one WebSocket, one SockJS socket, or a long-poll response. */
public interface FrameSink {
  /** {@code websocket}, {@code sockjs}: for metrics and operators. */
  String transport();

  /** True when the peer is not reading fast enough and the transport's bounded buffer is full. */
  boolean writeQueueFull();

  void write(String frame);

  /**
   * Bytes this transport holds for the client outside its socket buffer (the Engine.IO polling outbox,
   * waiting for the next GET). They count against the same per-connection bound as the session's queue,
   * so two buffers never hold twice the bound between them.
   */
  default long heldBytes() {
    return 0;
  }

  /** Called when a full write queue has drained below its limit again. */
  void drainHandler(Runnable onDrained);

  void close(CloseCode code);
}

package studio.hub.session;

import studio.contract.error.CloseCode;

/** Where a session's outgoing frames go: one WebSocket, one SockJS socket, or a long-poll response. */
public interface FrameSink {
  /** {@code websocket}, {@code sockjs}: for metrics and operators. */
  String transport();

  /** True when the peer is not reading fast enough and the transport's bounded buffer is full. */
  boolean writeQueueFull();

  void write(String frame);

  /** Called when a full write queue has drained below its limit again. */
  void drainHandler(Runnable onDrained);

  void close(CloseCode code);
}

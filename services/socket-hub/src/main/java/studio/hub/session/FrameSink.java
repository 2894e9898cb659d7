package studio.hub.session;

import studio.contract.error.CloseCode;

/** Where a session's outgoing frames go: one WebSocket, one SockJS socket, or a long-poll response. */
public interface FrameSink {
  /** {@code websocket}, {@code sockjs}: for metrics and operators. */
  String transport();

  /** True when the peer is not reading fast enough and the transport's bounded buffer is full. */
  boolean writeQueueFull();

  void write(String frame);

  void close(CloseCode code);
}

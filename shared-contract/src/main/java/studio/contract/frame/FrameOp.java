package studio.contract.frame;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code op} of every realtime frame (docs/protocol.md "Frames"): the ops a client may send and
 * the ops the hub sends. WebSocket and SockJS carry the same frames.
 */
public enum FrameOp {
  AUTH("auth", Direction.CLIENT),
  SUBSCRIBE("subscribe", Direction.CLIENT),
  UNSUBSCRIBE("unsubscribe", Direction.CLIENT),
  PING("ping", Direction.CLIENT),
  /** Server time and this connection's facts, answered with an {@code ack} carrying {@code health}. */
  HEALTH("health", Direction.CLIENT),
  CONNECTED("connected", Direction.SERVER),
  ACK("ack", Direction.SERVER),
  EVENT("event", Direction.SERVER),
  PONG("pong", Direction.SERVER),
  ERROR("error", Direction.SERVER),
  DRAINING("draining", Direction.SERVER);

  /** Who sends frames of an op. */
  public enum Direction { CLIENT, SERVER }

  private final String wire;
  private final Direction direction;

  FrameOp(String wire, Direction direction) {
    this.wire = wire;
    this.direction = direction;
  }

  public String wire() {
    return wire;
  }

  public Direction direction() {
    return direction;
  }

  /** The client op named {@code wire}; empty for anything else, server ops included. */
  public static Optional<FrameOp> fromClient(String wire) {
    return Arrays.stream(values()).filter(op -> op.direction == Direction.CLIENT && op.wire.equals(wire)).findFirst();
  }

  public static Optional<FrameOp> fromWire(String wire) {
    return Arrays.stream(values()).filter(op -> op.wire.equals(wire)).findFirst();
  }

  /** The client ops' names, for messages such as {@code unknown op "x" (expected auth, subscribe, ...)}. */
  public static String clientOpNames() {
    return Arrays.stream(values()).filter(op -> op.direction == Direction.CLIENT).map(FrameOp::wire)
        .collect(Collectors.joining(", "));
  }
}

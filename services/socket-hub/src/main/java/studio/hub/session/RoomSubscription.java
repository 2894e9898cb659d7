package studio.hub.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import studio.hub.broker.RoomFrame;

/**
 * One client's subscription to one room. Until its replay is released it holds live frames back,
 * so history and live frames reach the client as one ordered run; afterwards it passes frames
 * with a higher offset (or a new epoch) and drops the rest, so nothing is delivered twice.
 */
final class RoomSubscription implements Consumer<RoomFrame> {
  private final Consumer<RoomFrame> client;
  private List<RoomFrame> heldBack = new ArrayList<>();
  private long lastOffset;
  private String epoch;

  RoomSubscription(Consumer<RoomFrame> client) {
    this.client = client;
  }

  @Override
  public void accept(RoomFrame frame) {
    if (heldBack != null) {
      heldBack.add(frame);
      return;
    }
    send(frame);
  }

  /** Starts delivery after {@code offset}: the replayed frames first, then anything held back. */
  void release(long offset, String startEpoch, List<RoomFrame> replay) {
    lastOffset = offset;
    epoch = startEpoch;
    List<RoomFrame> pending = heldBack;
    heldBack = null;
    replay.forEach(this::send);
    pending.forEach(this::send);
  }

  long lastOffset() {
    return lastOffset;
  }

  String epoch() {
    return epoch;
  }

  private void send(RoomFrame frame) {
    boolean newEpoch = epoch != null && !Objects.equals(epoch, frame.epoch());
    if (!newEpoch && frame.offset() <= lastOffset) {
      return;
    }
    lastOffset = frame.offset();
    epoch = frame.epoch();
    client.accept(frame);
  }
}

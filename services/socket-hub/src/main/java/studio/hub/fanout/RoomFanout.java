package studio.hub.fanout;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.room.RoomKey;
import studio.hub.broker.Broker;
import studio.hub.broker.BrokerListener;
import studio.hub.broker.RoomFrame;
import studio.hub.broker.RoomPosition;

/**
 * Forwards each room's frames to this instance's subscribers exactly once and in offset order.
 * The broker link may drop, duplicate or skip frames; a skipped offset is filled from history
 * before anything after it is forwarded. Subscribes to a room at the broker only while it has a
 * local subscriber. Runs on one event loop: no locks.
 */
public final class RoomFanout implements BrokerListener {
  private static final Logger LOG = LoggerFactory.getLogger(RoomFanout.class);
  private final Broker broker;
  private final int historyLimit;
  private final FanoutMetrics metrics;
  private final Map<RoomKey, RoomChannel> channels = new HashMap<>();

  public RoomFanout(Broker broker, int historyLimit, FanoutMetrics metrics) {
    this.broker = broker;
    this.historyLimit = historyLimit;
    this.metrics = metrics;
    broker.listener(this);
  }

  /**
   * Adds a subscriber; completes with the position from which it will receive frames (every frame
   * with a higher offset in that epoch reaches it, in order). The subscriber counts from this call
   * on, so a {@link #leave} at any moment after it, even before this completes, releases it.
   */
  public Future<RoomPosition> join(RoomKey room, Consumer<RoomFrame> subscriber) {
    RoomChannel channel = channels.get(room);
    if (channel == null) {
      channel = new RoomChannel(room);
      channels.put(room, channel);
      channel.subscribers.add(subscriber);
      open(channel);
    } else {
      channel.subscribers.add(subscriber);
    }
    return channel.ready ? Future.succeededFuture(new RoomPosition(channel.lastOffset, channel.epoch))
        : channel.opened.future();
  }

  /** Removes a subscriber; the last one to leave closes the room here and at the broker. */
  public void leave(RoomKey room, Consumer<RoomFrame> subscriber) {
    RoomChannel channel = channels.get(room);
    if (channel == null || !channel.subscribers.remove(subscriber) || !channel.subscribers.isEmpty()) {
      return;
    }
    if (channel.ready) {
      close(channel);
    }
    // Still opening: the open closes it when it completes and finds nobody left.
  }

  public int roomCount() {
    return channels.size();
  }

  @Override
  public void onFrame(RoomFrame frame) {
    RoomChannel channel = channels.get(frame.room());
    if (channel == null) {
      return;
    }
    if (!channel.ready) {
      channel.heldBack.put(frame.offset(), frame);
      return;
    }
    accept(channel, frame);
  }

  @Override
  public void onResubscribed() {
    List.copyOf(channels.values()).stream().filter(channel -> channel.ready).forEach(this::fill);
  }

  private void open(RoomChannel channel) {
    RoomKey room = channel.room;
    // Subscribe first, then read the position: frames published in between are either at or below
    // the position (already "seen" by a subscriber that starts there) or held back and forwarded.
    broker.subscribe(room)
        .compose(subscribed -> broker.position(room))
        .onSuccess(position -> {
          channel.lastOffset = position.offset();
          channel.epoch = position.epoch();
          channel.ready = true;
          channel.opened.complete(position);
          if (channel.subscribers.isEmpty()) {
            close(channel);
          } else {
            drain(channel);
          }
        })
        .onFailure(failure -> {
          channels.remove(room, channel);
          broker.unsubscribe(room);
          channel.opened.fail(failure);
        });
  }

  private void close(RoomChannel channel) {
    if (channels.remove(channel.room, channel)) {
      broker.unsubscribe(channel.room)
          .onFailure(failure -> LOG.warn("could not unsubscribe {}: {}", channel.room, failure.getMessage()));
    }
  }

  private void accept(RoomChannel channel, RoomFrame frame) {
    if (channel.epoch != null && !Objects.equals(channel.epoch, frame.epoch())) {
      // The room was forgotten and started over (TTL, Redis data loss): follow the new epoch from 1.
      LOG.info("room {} moved to a new epoch {}", channel.room, frame.epoch());
      channel.epoch = frame.epoch();
      channel.lastOffset = 0;
      channel.heldBack.clear();
    }
    if (channel.epoch == null) {
      channel.epoch = frame.epoch();
    }
    if (frame.offset() <= channel.lastOffset) {
      metrics.duplicateDropped();
      return;
    }
    channel.heldBack.put(frame.offset(), frame);
    drain(channel);
    if (!channel.heldBack.isEmpty() && !channel.filling) {
      fill(channel);
    }
  }

  /** Forwards held-back frames while they continue the sequence. */
  private void drain(RoomChannel channel) {
    while (!channel.heldBack.isEmpty()) {
      Map.Entry<Long, RoomFrame> first = channel.heldBack.firstEntry();
      if (first.getKey() <= channel.lastOffset) {
        channel.heldBack.pollFirstEntry();
        continue;
      }
      if (first.getKey() != channel.lastOffset + 1) {
        return;
      }
      channel.heldBack.pollFirstEntry();
      forward(channel, first.getValue());
    }
  }

  private void forward(RoomChannel channel, RoomFrame frame) {
    channel.lastOffset = frame.offset();
    for (Consumer<RoomFrame> subscriber : List.copyOf(channel.subscribers)) {
      try {
        subscriber.accept(frame);
      } catch (RuntimeException e) {
        // One broken subscriber must not stop the room for the others.
        LOG.warn("room {}: dropping a subscriber that failed on offset {}: {}", channel.room, frame.offset(), e.toString());
        channel.subscribers.remove(subscriber);
      }
    }
  }

  /** Reads the missing offsets from history, then forwards everything that is now contiguous. */
  private void fill(RoomChannel channel) {
    channel.filling = true;
    long from = channel.lastOffset;
    broker.history(channel.room, from, historyLimit)
        .onComplete(done -> channel.filling = false)
        .onSuccess(history -> {
          if (channels.get(channel.room) != channel) {
            return;
          }
          metrics.gapFilled(history.frames().size());
          history.frames().forEach(frame -> channel.heldBack.putIfAbsent(frame.offset(), frame));
          if (!history.complete() && from < history.position().offset() && Objects.equals(channel.epoch,
              history.position().epoch())) {
            // Trimmed before we could read it: skip ahead rather than stall the room forever.
            long resume = channel.heldBack.isEmpty() ? history.position().offset() : channel.heldBack.firstKey() - 1;
            LOG.warn("room {}: offsets {}..{} left history before this replica could forward them", channel.room,
                from + 1, resume);
            metrics.gapUnrecoverable();
            channel.lastOffset = resume;
          }
          drain(channel);
          if (!channel.heldBack.isEmpty() && channel.lastOffset > from) {
            fill(channel);
          }
        })
        .onFailure(failure -> {
          LOG.warn("room {}: history read for gap fill failed, retrying on next frame: {}", channel.room,
              failure.getMessage());
          metrics.gapFillFailed();
        });
  }
}

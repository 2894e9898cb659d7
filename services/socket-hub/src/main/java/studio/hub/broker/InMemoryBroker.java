package studio.hub.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;

/**
 * The single-process broker: the same numbering, history, dedupe and delivery rules as
 * {@link RedisBroker}, held in this verticle's memory. Every method runs on the owning context, so
 * no locks are needed; a restart starts new epochs, which clients detect and answer by re-reading state.
 */
public final class InMemoryBroker implements Broker {
  private record Stored(long offset, long atMillis, RoomFrame frame) {
  }

  private static final class Room {
    final String epoch = RoomEpoch.next();
    long offset;
    long lastPublishMillis;
    final ArrayDeque<Stored> history = new ArrayDeque<>();
  }

  private record Remembered(Publication publication, long atMillis) {
  }

  private final Vertx vertx;
  private final HistoryPolicy policy;
  private final Map<String, Long> sequences = new HashMap<>();
  private final Map<RoomKey, Room> rooms = new HashMap<>();
  private final Map<String, Remembered> idempotency = new HashMap<>();
  private final Set<RoomKey> subscribed = new HashSet<>();
  private BrokerListener listener;
  private Context context;

  public InMemoryBroker(Vertx vertx, HistoryPolicy policy) {
    this.vertx = vertx;
    this.policy = policy;
  }

  @Override
  public Future<Publication> publish(DraftEvent draft) {
    long now = System.currentTimeMillis();
    String dedupeKey = draft.idempotencyKey() == null ? null : draft.sequenceStream() + "\n" + draft.idempotencyKey();
    if (dedupeKey != null) {
      Remembered prior = idempotency.get(dedupeKey);
      if (prior != null && now - prior.atMillis() < policy.idempotencyWindow().toMillis()) {
        Publication first = prior.publication();
        return Future.succeededFuture(new Publication(first.envelope(), first.envelopeJson(), first.rooms(), true));
      }
    }
    long sequence = sequences.merge(draft.sequenceStream(), 1L, Long::sum);
    EnvelopeTemplate template = EnvelopeTemplate.of(draft);
    String envelopeJson = template.render(sequence);
    List<RoomFrame> frames = new ArrayList<>();
    for (RoomKey key : draft.roomKeys()) {
      Room room = room(key, now);
      room.offset++;
      room.lastPublishMillis = now;
      RoomFrame frame = new RoomFrame(key, room.offset, room.epoch,
          Frames.event(key.toString(), room.offset, room.epoch, envelopeJson));
      room.history.addLast(new Stored(room.offset, now, frame));
      trim(room, now);
      frames.add(frame);
    }
    Publication publication = new Publication(
        Envelope.sequenced(draft, template.eventId(), sequence, template.emittedAt()), envelopeJson, frames, false);
    if (dedupeKey != null) {
      idempotency.put(dedupeKey, new Remembered(publication, now));
      forgetExpiredKeys(now);
    }
    frames.stream().filter(frame -> subscribed.contains(frame.room())).forEach(this::deliver);
    return Future.succeededFuture(publication);
  }

  @Override
  public Future<RoomPosition> position(RoomKey key) {
    Room room = existing(key);
    return Future.succeededFuture(room == null ? RoomPosition.EMPTY : new RoomPosition(room.offset, room.epoch));
  }

  @Override
  public Future<History> history(RoomKey key, long afterOffset, int limit) {
    Room room = existing(key);
    if (room == null) {
      return Future.succeededFuture(new History(RoomPosition.EMPTY, List.of(), afterOffset == 0));
    }
    long now = System.currentTimeMillis();
    trim(room, now);
    List<RoomFrame> frames = new ArrayList<>();
    for (Stored stored : room.history) {
      if (stored.offset() > afterOffset && frames.size() < limit) {
        frames.add(stored.frame());
      }
    }
    boolean complete = afterOffset == room.offset
        || (!frames.isEmpty() && frames.get(0).offset() == afterOffset + 1 && afterOffset < room.offset);
    return Future.succeededFuture(new History(new RoomPosition(room.offset, room.epoch), frames, complete));
  }

  @Override
  public Future<Void> subscribe(RoomKey room) {
    context = vertx.getOrCreateContext();
    subscribed.add(room);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> unsubscribe(RoomKey room) {
    subscribed.remove(room);
    return Future.succeededFuture();
  }

  @Override
  public void listener(BrokerListener listener) {
    this.listener = listener;
  }

  @Override
  public Future<Void> close() {
    subscribed.clear();
    return Future.succeededFuture();
  }

  private void deliver(RoomFrame frame) {
    // Delivered on a later turn of the event loop, like a Redis message, so a publisher never
    // re-enters the fan-out from inside its own call.
    (context != null ? context : vertx.getOrCreateContext()).runOnContext(ignored -> {
      if (listener != null) {
        listener.onFrame(frame);
      }
    });
  }

  private Room existing(RoomKey key) {
    Room room = rooms.get(key);
    if (room != null && System.currentTimeMillis() - room.lastPublishMillis > policy.roomTtl().toMillis()) {
      rooms.remove(key);
      return null;
    }
    return room;
  }

  private Room room(RoomKey key, long now) {
    Room room = existing(key);
    if (room == null) {
      room = new Room();
      room.lastPublishMillis = now;
      rooms.put(key, room);
    }
    return room;
  }

  private void trim(Room room, long now) {
    while (room.history.size() > policy.size()) {
      room.history.removeFirst();
    }
    long cutoff = now - policy.maxAge().toMillis();
    while (!room.history.isEmpty() && room.history.peekFirst().atMillis() < cutoff) {
      room.history.removeFirst();
    }
  }

  private void forgetExpiredKeys(long now) {
    if (idempotency.size() % 1024 != 0) {
      return;
    }
    long window = policy.idempotencyWindow().toMillis();
    for (Iterator<Remembered> it = idempotency.values().iterator(); it.hasNext(); ) {
      if (now - it.next().atMillis() >= window) {
        it.remove();
      }
    }
  }
}

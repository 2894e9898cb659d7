package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;

/**
 * The broker every hub replica shares: one Lua script per publish (pipelined on one connection)
 * numbers, stores and publishes atomically; each replica subscribes (through {@link RedisSubscriber}) only to rooms it has local
 * subscribers for.
 */
public final class RedisBroker implements Broker {
  private static final LuaScript PUBLISH = LuaScript.fromResource("/studio/hub/broker/publish.lua");
  private static final LuaScript HISTORY = LuaScript.fromResource("/studio/hub/broker/history.lua");

  private final PipelinedConnection redis;
  private final HistoryPolicy policy;
  private final RedisSubscriber subscriber;

  public RedisBroker(Vertx vertx, Redis redis, Supplier<Future<RedisConnection>> connector, HistoryPolicy policy) {
    this.redis = new PipelinedConnection(redis);
    this.policy = policy;
    this.subscriber = new RedisSubscriber(vertx, connector);
  }

  @Override
  public Future<Publication> publish(DraftEvent draft) {
    EnvelopeTemplate template = EnvelopeTemplate.of(draft);
    String stream = draft.sequenceStream();
    boolean idempotent = draft.idempotencyKey() != null;
    List<String> keys = new ArrayList<>();
    keys.add(RedisKeys.sequence(stream));
    keys.add(idempotent ? RedisKeys.idempotency(stream, draft.idempotencyKey()) : RedisKeys.sequence(stream));
    List<String> args = new ArrayList<>(List.of(idempotent ? "1" : "0",
        String.valueOf(policy.idempotencyWindow().toMillis()), String.valueOf(System.currentTimeMillis()),
        String.valueOf(policy.size()), String.valueOf(policy.maxAge().toMillis()), RoomEpoch.next(),
        template.prefix(), template.suffix(), String.valueOf(policy.roomTtl().toMillis())));
    for (RoomKey room : draft.roomKeys()) {
      keys.add(RedisKeys.meta(room));
      keys.add(RedisKeys.history(room));
      args.add(room.toString());
      args.add(RedisKeys.channel(room));
    }
    return PUBLISH.run(redis, keys, args).map(reply -> publication(draft, template, reply));
  }

  @Override
  public Future<RoomPosition> position(RoomKey room) {
    return history(room, 0, 0).map(History::position);
  }

  @Override
  public Future<History> history(RoomKey room, long afterOffset, int limit) {
    return HISTORY.run(redis, List.of(RedisKeys.meta(room), RedisKeys.history(room)),
            List.of(String.valueOf(afterOffset), String.valueOf(limit), String.valueOf(System.currentTimeMillis()),
                String.valueOf(policy.maxAge().toMillis())))
        .map(reply -> {
          long offset = reply.get(0).toLong();
          String epoch = reply.get(1).toString();
          RoomPosition position = epoch.isEmpty() ? RoomPosition.EMPTY : new RoomPosition(offset, epoch);
          List<RoomFrame> frames = new ArrayList<>();
          for (int i = 2; i + 1 < reply.size(); i += 2) {
            String id = reply.get(i).toString();
            frames.add(new RoomFrame(room, Long.parseLong(id.substring(0, id.indexOf('-'))), epoch,
                reply.get(i + 1).toString()));
          }
          boolean complete = afterOffset == position.offset()
              || (!frames.isEmpty() && frames.get(0).offset() == afterOffset + 1 && afterOffset < position.offset());
          return new History(position, frames, complete);
        });
  }

  @Override
  public Future<Void> subscribe(RoomKey room) {
    return subscriber.subscribe(room);
  }

  @Override
  public Future<Void> unsubscribe(RoomKey room) {
    return subscriber.unsubscribe(room);
  }

  @Override
  public void listener(BrokerListener listener) {
    subscriber.listener(listener);
  }

  @Override
  public Future<Void> close() {
    return subscriber.close().eventually(redis::close);
  }

  /** For tests and operators: drops the pub/sub link as a network fault would. */
  public void dropSubscriberConnection() {
    subscriber.dropConnection();
  }

  private static Publication publication(DraftEvent draft, EnvelopeTemplate template, Response reply) {
    boolean duplicate = reply.get(0).toInteger() == 1;
    String[] lines = reply.get(1).toString().split("\n");
    // A fresh publish is the template plus its sequence; only a duplicate's first envelope must be read back.
    Envelope envelope = duplicate ? Envelope.fromJson(new io.vertx.core.json.JsonObject(lines[0]))
        : Envelope.sequenced(draft, template.eventId(), sequenceOf(lines[0], template), template.emittedAt());
    List<RoomFrame> rooms = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String[] parts = lines[i].split(" ");
      RoomKey room = RoomKey.parse(parts[0]);
      long offset = Long.parseLong(parts[1]);
      rooms.add(new RoomFrame(room, offset, parts[2], Frames.event(parts[0], offset, parts[2], lines[0])));
    }
    return new Publication(envelope, rooms, duplicate);
  }

  private static long sequenceOf(String envelopeJson, EnvelopeTemplate template) {
    return Long.parseLong(envelopeJson, template.prefix().length(), envelopeJson.length() - template.suffix().length(), 10);
  }
}

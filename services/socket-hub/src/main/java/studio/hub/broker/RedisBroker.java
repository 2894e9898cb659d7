package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisUrl;

/**
 * The broker every hub replica shares: one Lua script per publish (pipelined on one connection)
 * numbers, stores and publishes atomically (on a Redis Cluster, one script per hash slot the publish
 * touches); each replica subscribes (through one {@link RedisSubscriber} link its instances share,
 * {@link SharedSubscriber}) only to rooms it has local subscribers for.
 */
public final class RedisBroker implements Broker {
  /** The room append both publish scripts share (offset, epoch, history, frame, fan-out). */
  private static final String ROOM_APPEND = "/studio/hub/broker/room_append.lua";
  private static final LuaScript PUBLISH = LuaScript.fromResources(ROOM_APPEND, "/studio/hub/broker/publish.lua");
  private static final LuaScript PUBLISH_BATCH = LuaScript.fromResources(ROOM_APPEND,
      "/studio/hub/broker/publish_batch.lua");
  private static final LuaScript HISTORY = LuaScript.fromResources("/studio/hub/broker/history.lua");

  private static final int FRESH = 0;
  private static final int DUPLICATE = 1;
  private static final int PENDING = 2;

  private final PipelinedConnection redis;
  private final HistoryPolicy policy;
  private final RoomSubscriber subscriber;
  private final Topology topology;

  /** How Redis is deployed, as far as the broker cares: a Cluster spreads rooms over shards. */
  enum Topology {
    SINGLE, CLUSTER;

    static Topology of(RedisConfig config) {
      return RedisUrl.parse(config.url()).type() == RedisClientType.CLUSTER ? CLUSTER : SINGLE;
    }
  }

  /** On one Redis (or a Sentinel-watched master), with a pub/sub link of its own. */
  public RedisBroker(Vertx vertx, Redis redis, Supplier<Future<RedisConnection>> connector, HistoryPolicy policy) {
    this(redis, policy, Topology.SINGLE, new RedisSubscriber(vertx, connector));
  }

  private RedisBroker(Redis redis, HistoryPolicy policy, Topology topology, RoomSubscriber subscriber) {
    this.redis = new PipelinedConnection(redis);
    this.policy = policy;
    this.topology = topology;
    this.subscriber = subscriber;
  }

  /**
   * On the topology REDIS_URL names (on a Cluster, sequencing per slot and sharded pub/sub per shard),
   * with a pub/sub link of its own.
   */
  public static RedisBroker withOwnLink(Vertx vertx, Redis redis, HistoryPolicy policy, RedisConfig config) {
    return new RedisBroker(redis, policy, Topology.of(config), RoomSubscriber.forTopology(vertx, config));
  }

  /**
   * For a hub instance (called in its start): as {@link #withOwnLink}, but the pub/sub link is the
   * one its deployment's instances share ({@link SharedSubscriber}).
   */
  public static RedisBroker forInstance(Vertx vertx, Redis redis, HistoryPolicy policy, RedisConfig config) {
    return new RedisBroker(redis, policy, Topology.of(config),
        SharedSubscriber.join(vertx, () -> RoomSubscriber.forTopology(vertx, config)));
  }

  /** What the first script answered: 0 fresh, 1 a duplicate (the final result), 2 pending (half applied). */
  private record Sequenced(int status, List<String> lines) {
    static Sequenced of(Response reply) {
      return new Sequenced(reply.get(0).toInteger(), linesOf(reply));
    }
  }

  /**
   * One script when every key shares a slot (always, on one Redis). On a Cluster: first the stream's
   * slot (sequence, idempotency record left pending, the rooms on that slot), then one script per other
   * slot, then the final idempotency record. docs/architecture.md "Sequencing on a Redis Cluster".
   */
  @Override
  public Future<Publication> publish(DraftEvent draft) {
    EnvelopeTemplate template = EnvelopeTemplate.of(draft);
    Map<Integer, List<RoomKey>> groups = slotGroups(draft);
    List<RoomKey> streamRooms = groups.remove(streamSlot(draft));
    String mode = groups.isEmpty() ? "A" : "S";
    return PUBLISH.run(redis, keys(draft, true, streamRooms, template.eventId().toString()),
            args(draft, template.prefix(), template.suffix(), mode, streamRooms))
        .map(Sequenced::of)
        .compose(first -> first.status() == DUPLICATE || groups.isEmpty() ? Future.succeededFuture(first)
            : otherSlots(draft, first, groups))
        .map(done -> publication(draft, template, done));
  }

  /**
   * One script call for the whole batch on one Redis. On a Cluster, one call per hash slot when each
   * draft's keys (stream and rooms) share a slot: a room lives in one slot, so its drafts keep batch
   * order inside that slot's call. If any draft spans slots, the batch goes draft by draft, in order.
   */
  @Override
  public Future<List<Publication>> publishBatch(List<DraftEvent> drafts) {
    Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
    for (int i = 0; i < drafts.size(); i++) {
      Integer slot = singleSlot(drafts.get(i));
      if (slot == null) {
        return Broker.super.publishBatch(drafts);
      }
      bySlot.computeIfAbsent(slot, ignored -> new ArrayList<>()).add(i);
    }
    Publication[] results = new Publication[drafts.size()];
    List<Future<Void>> calls = bySlot.values().stream().map(indices -> publishTogether(drafts, indices, results)).toList();
    return Future.all(calls).map(all -> List.of(results));
  }

  /** The one slot every key of the draft hashes to, or null when they span slots. */
  private Integer singleSlot(DraftEvent draft) {
    int slot = streamSlot(draft);
    if (topology == Topology.CLUSTER) {
      for (RoomKey room : draft.roomKeys()) {
        if (HashSlot.of(RedisKeys.meta(room)) != slot) {
          return null;
        }
      }
    }
    return slot;
  }

  /** One publish_batch.lua call for the drafts at {@code indices}, all of one slot; fills their results. */
  private Future<Void> publishTogether(List<DraftEvent> drafts, List<Integer> indices, Publication[] results) {
    List<String> keys = new ArrayList<>();
    List<String> args = new ArrayList<>(List.of(String.valueOf(policy.idempotencyWindow().toMillis()),
        String.valueOf(System.currentTimeMillis()), String.valueOf(policy.size()), String.valueOf(policy.maxAge().toMillis()),
        String.valueOf(policy.roomTtl().toMillis()), topology == Topology.CLUSTER ? "SPUBLISH" : "PUBLISH"));
    List<EnvelopeTemplate> templates = new ArrayList<>(indices.size());
    for (int index : indices) {
      DraftEvent draft = drafts.get(index);
      EnvelopeTemplate template = EnvelopeTemplate.of(draft);
      templates.add(template);
      String stream = draft.sequenceStream();
      keys.add(RedisKeys.sequence(stream));
      keys.add(draft.idempotencyKey() != null ? RedisKeys.idempotency(stream, draft.idempotencyKey()) : RedisKeys.sequence(stream));
      args.addAll(List.of(draft.idempotencyKey() != null ? "1" : "0", RoomEpoch.next(), template.prefix(), template.suffix(),
          String.valueOf(draft.roomKeys().size())));
      for (RoomKey room : draft.roomKeys()) {
        keys.add(RedisKeys.meta(room));
        keys.add(RedisKeys.history(room));
        args.add(room.toString());
        args.add(RedisKeys.channel(room));
      }
    }
    return PUBLISH_BATCH.run(redis, keys, args).compose(reply -> {
      List<Future<Void>> pending = new ArrayList<>();
      for (int j = 0; j < indices.size(); j++) {
        int index = indices.get(j);
        DraftEvent draft = drafts.get(index);
        Sequenced sequenced = new Sequenced(reply.get(2 * j).toInteger(), List.of(reply.get(2 * j + 1).toString().split("\n")));
        if (sequenced.status() == PENDING) {
          // A half-applied publish across slots (a retry of its idempotency key): the single path completes it.
          pending.add(publish(draft).map(publication -> {
            results[index] = publication;
            return null;
          }));
        } else {
          results[index] = publication(draft, templates.get(j), sequenced);
        }
      }
      return Future.all(pending).mapEmpty();
    });
  }

  /**
   * Appends the event to the rooms of every other slot, in parallel. A retry of a half-applied publish
   * runs them again with the first attempt's envelope: each room's applied mark returns its line
   * instead of appending twice. Only then is the idempotency record made final.
   */
  private Future<Sequenced> otherSlots(DraftEvent draft, Sequenced first, Map<Integer, List<RoomKey>> groups) {
    String envelope = first.lines().get(0);
    String eventId = Envelope.fromJson(new JsonObject(envelope)).eventId().toString();
    List<Future<Response>> runs = groups.values().stream()
        .map(rooms -> PUBLISH.run(redis, keys(draft, false, rooms, eventId), args(draft, envelope, "", "R", rooms)))
        .toList();
    return Future.all(runs).compose(all -> {
      List<String> lines = new ArrayList<>(first.lines());
      runs.forEach(run -> lines.addAll(linesOf(run.result()).subList(1, linesOf(run.result()).size())));
      Sequenced done = new Sequenced(first.status(), lines);
      return draft.idempotencyKey() == null ? Future.succeededFuture(done)
          : redis.send(Request.cmd(Command.SET).arg(RedisKeys.idempotency(draft.sequenceStream(), draft.idempotencyKey()))
              .arg(String.join("\n", lines)).arg("PX").arg(policy.idempotencyWindow().toMillis())).map(ok -> done);
    });
  }

  /** The draft's rooms by hash slot, in draft order; on one Redis, all in the stream's group. */
  private Map<Integer, List<RoomKey>> slotGroups(DraftEvent draft) {
    Map<Integer, List<RoomKey>> groups = new LinkedHashMap<>();
    groups.put(streamSlot(draft), new ArrayList<>());
    for (RoomKey room : draft.roomKeys()) {
      int slot = topology == Topology.CLUSTER ? HashSlot.of(RedisKeys.meta(room)) : streamSlot(draft);
      groups.computeIfAbsent(slot, ignored -> new ArrayList<>()).add(room);
    }
    return groups;
  }

  private int streamSlot(DraftEvent draft) {
    return topology == Topology.CLUSTER ? HashSlot.of(RedisKeys.sequence(draft.sequenceStream())) : 0;
  }

  /** The stream's two keys (or, for rooms of another slot, a key of theirs in their place), then 3 per room. */
  private static List<String> keys(DraftEvent draft, boolean streamHere, List<RoomKey> rooms, String eventId) {
    List<String> keys = new ArrayList<>();
    String stream = draft.sequenceStream();
    keys.add(streamHere ? RedisKeys.sequence(stream) : RedisKeys.meta(rooms.get(0)));
    keys.add(!streamHere ? RedisKeys.meta(rooms.get(0))
        : draft.idempotencyKey() != null ? RedisKeys.idempotency(stream, draft.idempotencyKey()) : RedisKeys.sequence(stream));
    for (RoomKey room : rooms) {
      keys.add(RedisKeys.meta(room));
      keys.add(RedisKeys.history(room));
      keys.add(RedisKeys.applied(room, eventId));
    }
    return keys;
  }

  private List<String> args(DraftEvent draft, String prefix, String suffix, String mode, List<RoomKey> rooms) {
    List<String> args = new ArrayList<>(List.of(draft.idempotencyKey() != null ? "1" : "0",
        String.valueOf(policy.idempotencyWindow().toMillis()), String.valueOf(System.currentTimeMillis()),
        String.valueOf(policy.size()), String.valueOf(policy.maxAge().toMillis()), RoomEpoch.next(),
        prefix, suffix, String.valueOf(policy.roomTtl().toMillis()), mode,
        topology == Topology.CLUSTER ? "SPUBLISH" : "PUBLISH"));
    for (RoomKey room : rooms) {
      args.add(room.toString());
      args.add(RedisKeys.channel(room));
    }
    return args;
  }

  @Override
  public Future<RoomPosition> position(RoomKey room) {
    return history(room, 0, 0).map(History::position);
  }

  @Override
  public Future<History> history(RoomKey room, long afterOffset, int limit) {
    return HISTORY.run(redis, List.of(RedisKeys.meta(room), RedisKeys.history(room)),
            List.of(String.valueOf(afterOffset), String.valueOf(limit), String.valueOf(System.currentTimeMillis()),
                String.valueOf(policy.maxAge().toMillis()), String.valueOf(policy.size())))
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

  /** For tests and operators: drops the pub/sub link (a hub instance's: its replica's) as a network fault would. */
  public void dropSubscriberConnection() {
    subscriber.dropConnection();
  }

  private static List<String> linesOf(Response reply) {
    return List.of(reply.get(1).toString().split("\n"));
  }

  /** The envelope and each room's place, in the draft's room order, whatever order the slots answered in. */
  private static Publication publication(DraftEvent draft, EnvelopeTemplate template, Sequenced done) {
    List<String> lines = done.lines();
    // A fresh publish is the template plus its sequence; a replayed one's envelope must be read back.
    Envelope envelope = done.status() == FRESH
        ? Envelope.sequenced(draft, template.eventId(), sequenceOf(lines.get(0), template), template.emittedAt())
        : Envelope.fromJson(new JsonObject(lines.get(0)));
    Map<RoomKey, RoomFrame> byRoom = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] parts = line.split(" ");
      RoomKey room = RoomKey.parse(parts[0]);
      long offset = Long.parseLong(parts[1]);
      byRoom.put(room, new RoomFrame(room, offset, parts[2], Frames.event(parts[0], offset, parts[2], lines.get(0))));
    }
    List<RoomFrame> rooms = draft.roomKeys().stream().map(byRoom::get).toList();
    return new Publication(envelope, lines.get(0), rooms, done.status() != FRESH);
  }

  private static long sequenceOf(String envelopeJson, EnvelopeTemplate template) {
    return Long.parseLong(envelopeJson, template.prefix().length(), envelopeJson.length() - template.suffix().length(), 10);
  }
}

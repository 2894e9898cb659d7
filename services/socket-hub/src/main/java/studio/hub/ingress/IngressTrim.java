package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import studio.contract.bus.RedisStreams;

/**
 * Keeps the ingress stream from growing without bound, without ever dropping a draft a hub still
 * has to publish. An entry is done once every consumer group was given it and acknowledged it: it
 * lies below the group's oldest pending entry, or, with nothing pending, at or below the last entry
 * the group was given. {@code XTRIM MINID} removes exactly the entries below such a bound.
 *
 * <p>Not {@code MAXLEN}: it counts entries whatever their state, so while no hub reads (every
 * replica down, or all of them failing to publish) producers would keep appending and {@code MAXLEN}
 * would silently drop the oldest unpublished drafts. With {@code MINID} the stream holds exactly the
 * backlog that is still owed, which is bounded by how long the hubs are away times the producers'
 * rate. The bound is safe although read and trim are separate commands: a group's pending entries
 * and last-delivered id only move forward, and every entry a group gets later lies above them.
 *
 * <p>Each hub start adds a consumer name to the group; {@link #forgetGoneConsumers} removes the
 * ones that hold nothing and have not read for a while, replicas that are gone.
 */
final class IngressTrim {
  /**
   * Check and delete in one script, so a consumer cannot be given an entry in between. Deleting a
   * live replica's consumer is harmless anyway: it holds nothing, and its next read recreates it.
   */
  private static final String FORGET_GONE_CONSUMERS = """
      local forgotten = 0
      for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
        local fields = {}
        for i = 1, #consumer, 2 do fields[consumer[i]] = consumer[i + 1] end
        if fields['pending'] == 0 and fields['idle'] >= tonumber(ARGV[2]) then
          redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields['name'])
          forgotten = forgotten + 1
        end
      end
      return forgotten""";

  private final Redis commands;

  IngressTrim(Redis commands) {
    this.commands = commands;
  }

  /** Removes the consumers of {@code group} that hold no entry and have not read for {@code idleMillis}. */
  Future<Void> forgetGoneConsumers(String group, long idleMillis) {
    return commands.send(Request.cmd(Command.EVAL).arg(FORGET_GONE_CONSUMERS).arg(1).arg(RedisStreams.INGRESS)
        .arg(group).arg(idleMillis)).mapEmpty();
  }

  Future<Void> trim() {
    return commands.send(Request.cmd(Command.XINFO).arg("GROUPS").arg(RedisStreams.INGRESS))
        .compose(groups -> {
          List<Future<StreamId>> bounds = new ArrayList<>();
          groups.forEach(group -> bounds.add(doneBelow(group)));
          return Future.all(bounds).map(all -> bounds.stream().map(Future::result).min(Comparator.naturalOrder()));
        })
        // No group yet: nobody has read anything, so everything is still owed.
        .compose(bound -> bound.isEmpty() ? Future.succeededFuture()
            : commands.send(Request.cmd(Command.XTRIM).arg(RedisStreams.INGRESS).arg("MINID").arg(bound.get().toString())))
        .mapEmpty();
  }

  /** Every entry of {@code group} below the answer is acknowledged. */
  private Future<StreamId> doneBelow(Response group) {
    String name = StreamFields.value(group, "name");
    StreamId delivered = StreamId.parse(StreamFields.value(group, "last-delivered-id"));
    if ("0".equals(StreamFields.value(group, "pending"))) {
      return Future.succeededFuture(delivered.next());
    }
    return commands.send(Request.cmd(Command.XPENDING).arg(RedisStreams.INGRESS).arg(name))
        // [count, oldest id, newest id, consumers]; acknowledged meanwhile: then all up to delivered is done.
        .map(summary -> summary.get(1) == null ? delivered.next() : StreamId.parse(summary.get(1).toString()));
  }
}

package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import studio.contract.bus.RedisStreams;

/**
 * The reader's commands on the ingress group, each a script that first checks, in Redis, that the
 * reader still holds {@link RedisStreams#INGRESS_READER}, and otherwise fails with
 * {@value #NOT_HOLDER}. So a hub that lost the lease without noticing yet (paused past the TTL, cut
 * off) cannot take entries once another hub has taken over: no entry is handed out behind the new
 * reader's back, which would let the new reader publish newer entries first.
 */
final class LeasedReads {
  /** The error a script answers when the caller does not hold the lease. */
  static final String NOT_HOLDER = "NOTHOLDER";
  private static final String CHECK_LEASE = """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then
        return redis.error_reply('NOTHOLDER the ingress reader lease is not held by ' .. ARGV[1])
      end
      """;
  /**
   * Moves the group's entries pending at least ARGV[3] ms to the caller, from cursor ARGV[4];
   * answers the next cursor ({@code 0-0}: done). JUSTID, so moving is not counted as a delivery.
   */
  private static final String CLAIM = CHECK_LEASE + """
      return redis.call('XAUTOCLAIM', KEYS[2], ARGV[2], ARGV[1], ARGV[3], ARGV[4], 'COUNT', ARGV[5], 'JUSTID')[1]""";
  /**
   * The caller's own pending entries, oldest first; only when it has none, new ones. Answers
   * {entries}, or, with neither, {{}, the stream's newest id (0-0 when empty)} to wait beyond.
   */
  private static final String READ = CHECK_LEASE + """
      local function read(from)
        local reply = redis.call('XREADGROUP', 'GROUP', ARGV[2], ARGV[1], 'COUNT', ARGV[3], 'STREAMS', KEYS[2], from)
        if reply and reply[1] and #reply[1][2] > 0 then return reply[1][2] end
        return nil
      end
      local entries = read('0') or read('>')
      if entries then return {entries} end
      local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
      return {{}, newest[1] and newest[1][1] or '0-0'}""";
  /** Delivers pending entry ARGV[3] to the caller again (counted as a delivery); answers it, or nothing once not pending. */
  private static final String REDELIVER = CHECK_LEASE + """
      return redis.call('XCLAIM', KEYS[2], ARGV[2], ARGV[1], 0, ARGV[3])""";

  /** Entries to publish in order, or none and the id to wait beyond for new ones. */
  record Batch(Response entries, String newest) {
  }

  private final Redis commands;
  private final String group;
  private final String consumer;

  LeasedReads(Redis commands, String group, String consumer) {
    this.commands = commands;
    this.group = group;
    this.consumer = consumer;
  }

  /** Takes over one page of the group's entries pending at least {@code minIdleMillis}; answers the next cursor. */
  Future<String> claim(long minIdleMillis, String cursor, int count) {
    return run(CLAIM, minIdleMillis, cursor, count).map(Response::toString);
  }

  Future<Batch> read(int count) {
    return run(READ, count).map(reply -> reply.get(0).size() > 0 ? new Batch(reply.get(0), null)
        : new Batch(null, reply.get(1).toString()));
  }

  /** The entry's fields, or null when it is no longer pending here or was deleted from the stream. */
  Future<Response> redeliver(String id) {
    return run(REDELIVER, id).map(reply -> reply == null || reply.size() == 0 || reply.get(0) == null ? null
        : reply.get(0).get(1));
  }

  private Future<Response> run(String script, Object... args) {
    Request request = Request.cmd(Command.EVAL).arg(script).arg(2).arg(RedisStreams.INGRESS_READER)
        .arg(RedisStreams.INGRESS).arg(consumer).arg(group);
    for (Object arg : args) {
      request.arg(arg.toString());
    }
    return commands.send(request);
  }

  static boolean isNotHolder(Throwable failure) {
    return failure.getMessage() != null && failure.getMessage().contains(NOT_HOLDER);
  }
}

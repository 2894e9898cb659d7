package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import studio.contract.bus.RedisStreams;

/**
 * Which hub instance reads the ingress stream: the one whose name {@link RedisStreams#INGRESS_READER}
 * holds. Taken with {@code SET NX PX ttl} when free, renewed by its holder with a compare-and-pexpire
 * script, released (compare-and-delete) when the holder stops. Every instance refreshes every third of
 * the TTL: the holder renews, the others try to take it.
 *
 * <p>{@link #held()} is the holder's own, cautious view: the lease counts from when the acquire or
 * renewal was sent, so it ends here before Redis lets the key expire, and a holder paused past the TTL
 * sees it ended when it wakes up. A renewal that finds the key gone or someone else's ends it at once.
 */
final class ReaderLease {
  private static final String RENEW = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      return 0""";
  private static final String RELEASE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
      return 0""";

  private final Redis commands;
  private final String holder;
  private final long ttlMillis;
  /** Acquired, and no renewal (or fenced read) has found it taken since. */
  private volatile boolean claimed;
  private volatile long validUntilNanos;

  ReaderLease(Redis commands, String holder, Duration ttl) {
    this.commands = commands;
    this.holder = holder;
    this.ttlMillis = ttl.toMillis();
  }

  /** How often to {@link #refresh}: a third of the TTL, so two renewals may fail before it lapses. */
  long refreshMillis() {
    return Math.max(1, ttlMillis / 3);
  }

  /** Renews the lease if this side holds it, else takes it if it is free; answers whether this side holds it now. */
  Future<Boolean> refresh() {
    long sent = System.nanoTime();
    boolean renewing = claimed;
    Future<Boolean> answer = renewing
        ? commands.send(Request.cmd(Command.EVAL).arg(RENEW).arg(1).arg(RedisStreams.INGRESS_READER).arg(holder)
            .arg(ttlMillis)).map(reply -> reply != null && reply.toInteger() == 1)
        : commands.send(Request.cmd(Command.SET).arg(RedisStreams.INGRESS_READER).arg(holder).arg("NX").arg("PX")
            .arg(ttlMillis)).map(ReaderLease::isOk);
    return answer.onSuccess(held -> {
      claimed = held;
      validUntilNanos = sent + Duration.ofMillis(ttlMillis).toNanos();
    });
  }

  /** Whether this side may read: it holds the lease and its TTL has not run out since it was last confirmed. */
  boolean held() {
    return claimed && System.nanoTime() - validUntilNanos < 0;
  }

  /** Whether this side believes it holds the lease, even if it could not confirm it in time. */
  boolean claimed() {
    return claimed;
  }

  /** Redis answered that someone else holds it (a fenced read): stop at once, take it again only when free. */
  void lost() {
    claimed = false;
  }

  /** Hands the lease over at once instead of after its TTL; a no-op when someone else holds it. */
  Future<Void> release() {
    claimed = false;
    return commands.send(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(RedisStreams.INGRESS_READER).arg(holder))
        .mapEmpty();
  }

  private static boolean isOk(Response reply) {
    return reply != null && "OK".equals(reply.toString());
  }
}

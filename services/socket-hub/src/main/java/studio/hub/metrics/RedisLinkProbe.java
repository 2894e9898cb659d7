package studio.hub.metrics;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Whether this hub instance reaches Redis, for {@code studio_rt_redis_up}: a PING through the pooled
 * client now and every {@link #INTERVAL}; no answer within {@link #TIMEOUT} (refused, reset, or a
 * Redis that hangs) reads as down. Without Redis a hub can neither sequence nor fan out.
 */
public final class RedisLinkProbe {
  public static final Duration INTERVAL = Duration.ofSeconds(5);
  public static final Duration TIMEOUT = Duration.ofSeconds(2);
  private final Vertx vertx;
  private final Redis redis;
  private final HubMetrics metrics;
  private long timer = -1;

  private RedisLinkProbe(Vertx vertx, Redis redis, HubMetrics metrics) {
    this.vertx = vertx;
    this.redis = redis;
    this.metrics = metrics;
  }

  /** Probes once at once (so the gauge exists before the first scrape), then periodically. */
  public static RedisLinkProbe start(Vertx vertx, Redis redis, HubMetrics metrics) {
    RedisLinkProbe probe = new RedisLinkProbe(vertx, redis, metrics);
    probe.timer = vertx.setPeriodic(1, INTERVAL.toMillis(), id -> probe.probe());
    return probe;
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private Future<Void> probe() {
    return redis.send(Request.cmd(Command.PING)).timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(answered -> metrics.redisLink(answered.succeeded()))
        .mapEmpty();
  }
}

package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.hub.metrics.HubMetrics;
import studio.hub.metrics.RedisLinkProbe;
import studio.testsupport.TestInfrastructure;

/** studio_rt_redis_up against the real test Redis, and against a "Redis" that accepts and never answers. */
@ExtendWith(VertxExtension.class)
class RedisLinkProbeTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private Double redisUp() {
    var gauge = registry.find("studio_rt_redis_up").gauge();
    return gauge == null ? null : gauge.value();
  }

  @Test
  @DisplayName("a hub instance whose Redis answers PING reports studio_rt_redis_up 1")
  void up(Vertx vertx) {
    Redis redis = Redis.createClient(vertx, TestInfrastructure.redisUrl());
    RedisLinkProbe probe = RedisLinkProbe.start(vertx, redis, new HubMetrics(registry));
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> Double.valueOf(1).equals(redisUp()));
    } finally {
      probe.stop();
      redis.close();
    }
  }

  @Test
  @DisplayName("a Redis that accepts the connection but never answers reads as down (0) once the PING times out")
  void hungRedisIsDown(Vertx vertx) throws Exception {
    NetServer silent = vertx.createNetServer().connectHandler(socket -> { })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + silent.actualPort());
    RedisLinkProbe probe = RedisLinkProbe.start(vertx, redis, new HubMetrics(registry));
    try {
      await().atMost(RedisLinkProbe.TIMEOUT.plusSeconds(5)).until(() -> Double.valueOf(0).equals(redisUp()));
    } finally {
      probe.stop();
      redis.close();
      silent.close();
    }
  }
}

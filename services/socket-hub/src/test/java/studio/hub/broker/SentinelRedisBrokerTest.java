package studio.hub.broker;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import studio.embedded.RedisTopology;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;

/**
 * The broker contract through Sentinel: a real master, its replica and 3 Sentinels, every one
 * requiring a password (production's form: redis-sentinel://:password@...).
 */
@Tag("redis-topology")
class SentinelRedisBrokerTest extends BrokerContractTest {
  static RedisTopology sentinel;

  @BeforeAll
  static void startSentinel() {
    sentinel = RedisTopology.sentinel("sentinel-pw");
  }

  @AfterAll
  static void stopSentinel() {
    sentinel.close();
  }

  @Override
  Broker create(Vertx vertx, HistoryPolicy policy) {
    RedisConfig config = new RedisConfig(sentinel.url(), 4);
    return RedisBroker.withOwnLink(vertx, RedisConnector.client(vertx, config), policy, config);
  }
}

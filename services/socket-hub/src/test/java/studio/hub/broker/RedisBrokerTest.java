package studio.hub.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.room.RoomKey;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;
import studio.testsupport.TestInfrastructure;

class RedisBrokerTest extends BrokerContractTest {
  @Override
  Broker create(Vertx vertx, HistoryPolicy policy) {
    RedisConfig config = new RedisConfig(TestInfrastructure.redisUrl(), 4);
    Redis commands = RedisConnector.client(vertx, config);
    // One client for the dedicated connections, referenced by the broker for as long as it lives.
    Redis dedicated = Redis.createClient(vertx, RedisConnector.options(config));
    return new RedisBroker(vertx, commands, dedicated::connect, policy);
  }

  @Test
  @DisplayName("when the pub/sub link drops, the broker reconnects, resubscribes and reports it")
  void resubscribesAfterLinkLoss() throws Exception {
    RoomKey watched = room("task");
    onContext(() -> broker.subscribe(watched));
    ((RedisBroker) broker).dropSubscriberConnection();
    await().atMost(Duration.ofSeconds(15)).until(() -> resubscribed == 1);
    publish(draft(null, watched));
    await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 1);
    assertThat(delivered.get(0).offset()).isEqualTo(1);
  }
}

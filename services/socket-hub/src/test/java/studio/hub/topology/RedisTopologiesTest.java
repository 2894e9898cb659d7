package studio.hub.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.embedded.RedisTopology;
import studio.runtime.redis.RedisConfig;
import studio.runtime.redis.RedisConnector;

/** Every REDIS_URL form reaches a real topology of redis-server processes through RedisConnector. */
@Tag("redis-topology")
@ExtendWith(VertxExtension.class)
class RedisTopologiesTest {
  @Test
  @DisplayName("rediss:// with a password: commands work over TLS; a wrong password and plain TCP are refused")
  void tlsWithPassword(Vertx vertx) throws Exception {
    try (RedisTopology tls = RedisTopology.tls("s3cret-pw")) {
      RedisConfig config = new RedisConfig(tls.url(), 2, tls.caFile().toString());
      assertThat(setAndGet(RedisConnector.client(vertx, config), "k")).isEqualTo("v");

      String wrongPassword = tls.url().replace("s3cret-pw", "wrong");
      assertThat(failure(RedisConnector.client(vertx, config.withUrl(wrongPassword))))
          .containsAnyOf("WRONGPASS", "invalid");
      String plain = tls.url().replace("rediss://", "redis://");
      assertThat(failure(RedisConnector.client(vertx, config.withUrl(plain)))).isNotEmpty();
      assertThat(failure(RedisConnector.client(vertx, new RedisConfig(tls.url(), 2)))).isNotEmpty();
    }
  }

  @Test
  @DisplayName("redis-cluster:// and redis-sentinel:// with a password: keys spread over 3 masters, Sentinel writes to the master; no or a wrong password is refused")
  void clusterAndSentinelWithPassword(Vertx vertx) throws Exception {
    try (RedisTopology cluster = RedisTopology.cluster("cluster-pw"); RedisTopology sentinel = RedisTopology.sentinel("sentinel-pw")) {
      assertThat(cluster.url()).startsWith("redis-cluster://:cluster-pw@");
      Redis onCluster = RedisConnector.client(vertx, new RedisConfig(cluster.url(), 2));
      for (int i = 0; i < 20; i++) {
        assertThat(setAndGet(onCluster, "key-" + i)).isEqualTo("v");
      }
      long masters = cluster.nodes("node").stream()
          .filter(node -> cluster.cli(node.port(), "ROLE").startsWith("master")
              && Long.parseLong(cluster.cli(node.port(), "DBSIZE").trim()) > 0)
          .count();
      assertThat(masters).isEqualTo(3);
      assertThat(failure(RedisConnector.client(vertx, new RedisConfig(cluster.url().replace(":cluster-pw@", ""), 2))))
          .containsAnyOf("NOAUTH", "Authentication");
      assertThat(failure(RedisConnector.client(vertx, new RedisConfig(cluster.url().replace("cluster-pw", "wrong"), 2))))
          .containsAnyOf("WRONGPASS", "invalid");

      assertThat(sentinel.url()).startsWith("redis-sentinel://:sentinel-pw@");
      Redis onSentinel = RedisConnector.client(vertx, new RedisConfig(sentinel.url(), 2));
      assertThat(setAndGet(onSentinel, "sentinel-key")).isEqualTo("v");
      int master = sentinel.nodes("master").get(0).port();
      assertThat(sentinel.cli(master, "GET", "sentinel-key").trim()).isEqualTo("v");
      assertThat(failure(RedisConnector.client(vertx, new RedisConfig(sentinel.url().replace(":sentinel-pw@", ""), 2))))
          .isNotEmpty();
      assertThat(failure(RedisConnector.client(vertx, new RedisConfig(sentinel.url().replace("sentinel-pw", "wrong"), 2))))
          .isNotEmpty();
    }
  }

  private static String setAndGet(Redis redis, String key) throws Exception {
    return redis.send(Request.cmd(Command.SET).arg(key).arg("v"))
        .compose(ok -> redis.send(Request.cmd(Command.GET).arg(key)))
        .map(Object::toString)
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static String failure(Redis redis) throws Exception {
    Future<String> attempt = redis.send(Request.cmd(Command.PING)).map(reply -> "")
        .recover(failure -> Future.succeededFuture(String.valueOf(failure.getMessage())));
    String message = attempt.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    redis.close();
    return message;
  }
}

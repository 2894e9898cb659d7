package studio.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import studio.runtime.config.ConfigException;

class RedisUrlTest {
  @Test
  void standaloneKeepsHostPortAndDatabaseButNotThePassword() {
    RedisUrl url = RedisUrl.parse("redis://:s3cret@cache.internal:6380/2");
    assertThat(url.type()).isEqualTo(RedisClientType.STANDALONE);
    assertThat(url.endpoints()).containsExactly("redis://cache.internal:6380/2");
    assertThat(url.password()).isEqualTo("s3cret");
    assertThat(url.user()).isNull();
    assertThat(url.tls()).isFalse();
  }

  @Test
  void tlsWithUserAndEscapedPassword() {
    RedisUrl url = RedisUrl.parse("rediss://studio:p%40ss+w@redis.example.com");
    assertThat(url.endpoints()).containsExactly("rediss://redis.example.com");
    assertThat(url.user()).isEqualTo("studio");
    assertThat(url.password()).isEqualTo("p@ss+w");
    assertThat(url.tls()).isTrue();
  }

  @Test
  void sentinelListsEverySentinelAndTheMasterName() {
    RedisUrl url = RedisUrl.parse("redis-sentinel://:pw@s1:26379,s2,10.0.0.3:26380/mymaster/3");
    assertThat(url.type()).isEqualTo(RedisClientType.SENTINEL);
    assertThat(url.endpoints()).containsExactly("redis://s1:26379/3", "redis://s2:26379/3", "redis://10.0.0.3:26380/3");
    assertThat(url.masterName()).isEqualTo("mymaster");
    assertThat(url.password()).isEqualTo("pw");
  }

  @Test
  void clusterListsSeedNodes() {
    RedisUrl url = RedisUrl.parse("rediss-cluster://h1:7000,h2:7001,[::1]:7002");
    assertThat(url.type()).isEqualTo(RedisClientType.CLUSTER);
    assertThat(url.endpoints()).containsExactly("rediss://h1:7000", "rediss://h2:7001", "rediss://[::1]:7002");
    assertThat(url.tls()).isTrue();
  }

  @Test
  void optionsCarryTheTopology() {
    RedisOptions sentinel = RedisConnector.options(new RedisConfig("redis-sentinel://s1,s2,s3/main", 4));
    assertThat(sentinel.getType()).isEqualTo(RedisClientType.SENTINEL);
    assertThat(sentinel.getEndpoints()).hasSize(3);
    assertThat(sentinel.getMasterName()).isEqualTo("main");
    assertThat(sentinel.getRole()).isEqualTo(RedisRole.MASTER);

    RedisOptions tls = RedisConnector.options(new RedisConfig("rediss://:pw@h:6380", 4, "/etc/ca.pem"));
    assertThat(tls.getPassword()).isEqualTo("pw");
    assertThat(tls.getEndpoints()).isEqualTo(List.of("rediss://h:6380"));
    assertThat(tls.getNetClientOptions().isSsl()).isTrue();
    assertThat(tls.getNetClientOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(tls.getNetClientOptions().getTrustOptions()).isNotNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "http://x|unknown scheme http://",
      "redis://a:1,b:2|several hosts need redis-sentinel:// or redis-cluster://",
      "redis://h:99999|port 99999 is out of range",
      "redis://h/abc|database \"abc\" is not a number",
      "redis-sentinel://s1:26379,s2:26379|needs the master name",
      "redis-sentinel://s1:26379,s2:26379/|needs the master name",
      "redis-sentinel://s1,s2/my master|master name \"my master\"",
      "redis-cluster://h1:7000,,h3:7002|an empty host",
      "redis-cluster://h1:7000,h2:7001/1|only database 0",
      "redis-cluster://h1:x|host \"h1:x\" is not host[:port]",
      "unix://relative.sock|absolute socket path",
      "localhost:6379|expected redis://",
  })
  void badFormsNameRedisUrl(String url, String why) {
    assertThatThrownBy(() -> RedisUrl.parse(url))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid config REDIS_URL=")
        .hasMessageContaining(why)
        .hasMessageContaining("redis-sentinel://[:password@]host:port,host:port/master-name[/db]");
  }

  @Test
  void errorsNeverPrintThePassword() {
    assertThatThrownBy(() -> RedisUrl.parse("redis-cluster://:hunter2@h1:7000/5"))
        .hasMessageContaining(":***@")
        .hasMessageNotContaining("hunter2");
  }
}

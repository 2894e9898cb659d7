package studio.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.pgclient.SslMode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CommonConfigTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static Map<String, Object> production() {
    Map<String, Object> values = new HashMap<>();
    values.put("STUDIO_ENV", "production");
    values.put("JWT_SECRET_KEY", SECRET);
    values.put("WORKER_SHARED_SECRET", SECRET);
    values.put("DATABASE_URL", "postgresql://studio:pw@db:5432/studio");
    values.put("REDIS_URL", "redis://redis:6379");
    values.put("STUDIO_CORS_ALLOWED_ORIGINS", "https://studio.example.com");
    return values;
  }

  @Test
  @DisplayName("development with nothing set works: secrets generated and named, infrastructure left to embed")
  void developmentDefaults() {
    CommonConfig config = CommonConfig.from(Settings.of(Map.of()), false);
    assertThat(config.env()).isEqualTo(StudioEnvironment.DEVELOPMENT);
    assertThat(config.secrets().generated()).containsExactly("JWT_SECRET_KEY", "WORKER_SHARED_SECRET");
    assertThat(config.secrets().jwtSecretKey()).hasSize(64);
    assertThat(config.database().url()).isNull();
    assertThat(config.redis().url()).isNull();
  }

  @Test
  @DisplayName("development binds loopback unless told otherwise (open is for this machine only); production every interface")
  void bindAddressByEnvironment() {
    assertThat(CommonConfig.from(Settings.of(Map.of()), false).httpHost()).isEqualTo("127.0.0.1");
    assertThat(CommonConfig.from(Settings.of(Map.of("STUDIO_HTTP_HOST", "0.0.0.0")), false).httpHost()).isEqualTo("0.0.0.0");
    assertThat(CommonConfig.from(Settings.of(production()), false).httpHost()).isEqualTo("0.0.0.0");
  }

  @Test
  @DisplayName("a complete production config loads")
  void production_ok() {
    CommonConfig config = CommonConfig.from(Settings.of(production()), false);
    assertThat(config.secrets().generated()).isEmpty();
    assertThat(config.database().connectOptions().getHost()).isEqualTo("db");
  }

  @Test
  @DisplayName("production without a secret fails naming it and how to make one")
  void productionNeedsSecrets() {
    for (String secret : new String[] {"JWT_SECRET_KEY", "WORKER_SHARED_SECRET"}) {
      Map<String, Object> values = production();
      values.remove(secret);
      assertThatThrownBy(() -> CommonConfig.from(Settings.of(values), false))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("missing config " + secret)
          .hasMessageContaining("openssl rand -hex 32");
    }
  }

  @Test
  @DisplayName("production without a database password fails")
  void productionNeedsDatabasePassword() {
    Map<String, Object> values = production();
    values.put("DATABASE_URL", "postgresql://studio@db:5432/studio");
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(values), false)).hasMessageStartingWith("missing config DATABASE_PASSWORD");
    values.put("POSTGRES_PASSWORD", "from-the-old-stack");
    assertThat(CommonConfig.from(Settings.of(values), false).database().connectOptions().getPassword())
        .isEqualTo("from-the-old-stack");
  }

  @Test
  @DisplayName("production refuses embedded infrastructure")
  void productionNeedsUrls() {
    Map<String, Object> values = production();
    values.remove("REDIS_URL");
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(values), false)).hasMessageStartingWith("missing config REDIS_URL");
  }

  @Test
  @DisplayName("a clustered development run needs shared secrets, since each process would generate its own")
  void clusterNeedsSecrets() {
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of()), true))
        .hasMessageStartingWith("missing config JWT_SECRET_KEY: required with --cluster");
  }

  @Test
  @DisplayName("short secrets are refused without echoing them")
  void shortSecret() {
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of("JWT_SECRET_KEY", "hunter2")), false))
        .hasMessageContaining("JWT_SECRET_KEY")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  @DisplayName("a secret needs 32 characters in every environment: 31 is refused naming the knob, 32 loads")
  void secretsOfAtLeast32Characters() {
    String short31 = SECRET.substring(1);
    for (String secret : new String[] {"JWT_SECRET_KEY", "WORKER_SHARED_SECRET"}) {
      assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of(secret, short31)), false))
          .isInstanceOf(ConfigException.class)
          .hasMessage("invalid config " + secret + "=\"<31 characters>\": expected a secret of at least 32 characters "
              + "(generate one with: openssl rand -hex 32)");
      Map<String, Object> production = production();
      production.put(secret, short31);
      assertThatThrownBy(() -> CommonConfig.from(Settings.of(production), false)).hasMessageContaining(secret);
    }
    assertThat(CommonConfig.from(Settings.of(Map.of("JWT_SECRET_KEY", SECRET)), false).secrets().jwtSecretKey())
        .isEqualTo(SECRET);
  }

  @Test
  @DisplayName("production refuses CORS * and a missing origin list, asking for the public origin(s); development keeps *")
  void productionNamesItsOrigins() {
    Map<String, Object> unset = production();
    unset.remove("STUDIO_CORS_ALLOWED_ORIGINS");
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(unset), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("missing config STUDIO_CORS_ALLOWED_ORIGINS: ")
        .hasMessageContaining("public origin");
    for (String open : new String[] {"*", "https://studio.example.com,*"}) {
      Map<String, Object> values = production();
      values.put("STUDIO_CORS_ALLOWED_ORIGINS", open);
      assertThatThrownBy(() -> CommonConfig.from(Settings.of(values), false))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid config STUDIO_CORS_ALLOWED_ORIGINS=\"" + open + "\": ")
          .hasMessageContaining("public origin");
    }
    assertThat(CommonConfig.from(Settings.of(production()), false).allowedOrigins())
        .containsExactly("https://studio.example.com");
    assertThat(CommonConfig.from(Settings.of(Map.of()), false).allowedOrigins()).containsExactly("*");
  }

  @Test
  @DisplayName("malformed URLs fail naming the knob and hiding the password")
  void badUrls() {
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of("REDIS_URL", "http://x")), false))
        .hasMessageStartingWith("invalid config REDIS_URL=\"http://x\"");
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of("DATABASE_URL", "mysql://u:secretpw@h/db")), false))
        .hasMessageStartingWith("invalid config DATABASE_URL")
        .hasMessageNotContaining("secretpw");
  }

  @Test
  @DisplayName("DATABASE_URL's TLS settings are checked at startup: an unknown sslmode, or a verify mode without sslrootcert, names the knob")
  void badDatabaseTls() {
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of("DATABASE_URL", "postgresql://u:secretpw@h/db?sslmode=bogus")), false))
        .hasMessage("invalid config DATABASE_URL: sslmode=\"bogus\": expected one of disable, allow, prefer, require, verify-ca, verify-full");
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of("DATABASE_URL", "postgresql://u:secretpw@h/db?sslmode=verify-full")), false))
        .hasMessageStartingWith("invalid config DATABASE_URL: sslmode=verify-full needs sslrootcert=")
        .hasMessageNotContaining("secretpw");
    var database = CommonConfig.from(Settings.of(Map.of("DATABASE_URL",
        "postgresql://u:pw@h/db?sslmode=require&sslrootcert=%2Fetc%2Fca.pem&application_name=studio-web")), false).database();
    assertThat(database.connectOptions().getSslMode()).isEqualTo(SslMode.VERIFY_CA);
    assertThat(database.dataSource().getSslMode()).isEqualTo("verify-ca");
    assertThat(database.dataSource().getSslRootCert()).isEqualTo("/etc/ca.pem");
    assertThat(database.dataSource().getApplicationName()).isEqualTo("studio-web");
  }

  @Test
  @DisplayName("an unknown STUDIO_ENV and a malformed cluster member list fail naming the knob")
  void badEnums() {
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of("STUDIO_ENV", "staging")), false))
        .hasMessage("invalid config STUDIO_ENV=\"staging\": expected one of development, production");
    assertThatThrownBy(() -> CommonConfig.from(Settings.of(Map.of("STUDIO_CLUSTER_MEMBERS", "a:1,b c")), false))
        .hasMessageStartingWith("invalid config STUDIO_CLUSTER_MEMBERS");
  }

  @Test
  @DisplayName("the old stack's ENV variable selects production too")
  void envAlias() {
    Map<String, Object> values = production();
    values.remove("STUDIO_ENV");
    values.put("ENV", "production");
    assertThat(CommonConfig.from(Settings.of(values), false).env()).isEqualTo(StudioEnvironment.PRODUCTION);
  }
}

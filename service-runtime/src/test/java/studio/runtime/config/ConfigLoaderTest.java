package studio.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("a YAML config file supplies knobs and the environment overrides it")
  void yamlThenEnvironment(Vertx vertx, VertxTestContext test) throws Exception {
    Path file = dir.resolve("studio.yaml");
    Files.writeString(file, "STUDIO_HTTP_PORT: 9001\nSTUDIO_HUB_PORT: 9002\n");
    ConfigLoader.fromVariables(vertx, Map.of(ConfigLoader.CONFIG_FILE, file.toString(), "STUDIO_HUB_PORT", "9102"))
        .onComplete(test.succeeding(settings -> test.verify(() -> {
          assertThat(settings.port("STUDIO_HTTP_PORT", 0)).isEqualTo(9001);
          assertThat(settings.port("STUDIO_HUB_PORT", 0)).isEqualTo(9102);
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a JSON config file works the same way")
  void json(Vertx vertx, VertxTestContext test) throws Exception {
    Path file = dir.resolve("studio.json");
    Files.writeString(file, "{\"LOG_FORMAT\": \"json\"}");
    ConfigLoader.fromVariables(vertx, Map.of(ConfigLoader.CONFIG_FILE, file.toString()))
        .onComplete(test.succeeding(settings -> test.verify(() -> {
          assertThat(settings.optional("LOG_FORMAT")).contains("json");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a config file that does not exist fails naming STUDIO_CONFIG")
  void missingFile(Vertx vertx, VertxTestContext test) {
    ConfigLoader.fromVariables(vertx, Map.of(ConfigLoader.CONFIG_FILE, dir.resolve("nope.yaml").toString()))
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(failure).isInstanceOf(ConfigException.class).hasMessageContaining("STUDIO_CONFIG=");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a config file that is not valid YAML fails with a config error, not a crash")
  void malformedFile(Vertx vertx, VertxTestContext test) throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "STUDIO_HTTP_PORT: [unclosed\n");
    ConfigLoader.fromVariables(vertx, Map.of(ConfigLoader.CONFIG_FILE, file.toString()))
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(failure).isInstanceOf(ConfigException.class).hasMessageContaining("could not read config file");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a config file with another extension is refused")
  void unknownFormat(Vertx vertx, VertxTestContext test) throws Exception {
    Path file = dir.resolve("studio.toml");
    Files.writeString(file, "x = 1");
    ConfigLoader.fromVariables(vertx, Map.of(ConfigLoader.CONFIG_FILE, file.toString()))
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(failure).hasMessageContaining(".yaml, .yml or .json");
          test.completeNow();
        })));
  }
}

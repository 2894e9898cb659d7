package studio.runtime.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Reads knobs through vertx-config: the optional file named by {@code STUDIO_CONFIG} (YAML or JSON,
 * flat, same names as the environment variables) and then the environment, which wins.
 */
public final class ConfigLoader {
  public static final String CONFIG_FILE = "STUDIO_CONFIG";

  private ConfigLoader() {
  }

  /** Loads from the process environment. */
  public static Future<Settings> fromEnvironment(Vertx vertx, Path configFileOverride) {
    ConfigStoreOptions env = new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true));
    Path file = configFileOverride != null ? configFileOverride : pathOrNull(System.getenv(CONFIG_FILE));
    return load(vertx, file, env);
  }

  /** Loads from an explicit variable map standing in for the environment (tests, embedding). */
  public static Future<Settings> fromVariables(Vertx vertx, Map<String, String> variables) {
    ConfigStoreOptions env = new ConfigStoreOptions().setType("json")
        .setConfig(new JsonObject(Map.copyOf(variables)));
    return load(vertx, pathOrNull(variables.get(CONFIG_FILE)), env);
  }

  private static Future<Settings> load(Vertx vertx, Path file, ConfigStoreOptions env) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0);
    try {
      if (file != null) {
        options.addStore(fileStore(file));
      }
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    options.addStore(env);
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .recover(failure -> Future.failedFuture(new ConfigException(
            "could not read config" + (file == null ? "" : " file " + CONFIG_FILE + "=" + file) + ": "
                + failure.getMessage())))
        .map(json -> new Settings(json.getMap()))
        .eventually(retriever::close);
  }

  private static ConfigStoreOptions fileStore(Path file) {
    if (!Files.isReadable(file)) {
      throw ConfigException.invalid(CONFIG_FILE, file, "a readable YAML or JSON file");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String format;
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      format = "yaml";
    } else if (name.endsWith(".json")) {
      format = "json";
    } else {
      throw ConfigException.invalid(CONFIG_FILE, file, "a file ending in .yaml, .yml or .json");
    }
    return new ConfigStoreOptions().setType("file").setFormat(format)
        .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString()));
  }

  private static Path pathOrNull(String value) {
    return value == null || value.isBlank() ? null : Path.of(value.trim());
  }
}

package studio.launcher;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import studio.runtime.config.ConfigException;
import studio.runtime.config.ConfigLoader;
import studio.runtime.config.Settings;
import studio.runtime.logging.LoggingSetup;

/** {@code java -jar studio.jar [all|web|hub|tasks|downloads ...] [--cluster]}. */
@Command(name = "studio", mixinStandardHelpOptions = true, version = "Studio Runtime 0.1.0",
    description = "Starts Studio Runtime services. Knobs come from the environment and the optional "
        + "STUDIO_CONFIG file; see docs/configuration.md.")
public final class Main implements Callable<Integer> {
  static final int EXIT_BAD_CONFIG = 2;
  static final int EXIT_START_FAILED = 1;

  @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "all (default), web, hub, tasks, downloads")
  List<String> services = List.of();

  @Option(names = "--cluster", description = "Join the Hazelcast-clustered event bus (STUDIO_CLUSTER_* knobs)")
  boolean cluster;

  @Option(names = "--infra", description = "Start only embedded PostgreSQL and Redis (data under STUDIO_DATA_DIR), "
      + "print their URLs and wait: for running services as separate processes on one machine")
  boolean infraOnly;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON config file (overrides STUDIO_CONFIG)")
  Path configFile;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    StudioConfig config;
    Set<ServiceName> selected;
    Settings settings;
    try {
      selected = ServiceName.parse(services);
      settings = readSettings();
      config = StudioConfig.from(settings, cluster);
      LoggingSetup.apply(config.common().log(), ServiceName.processName(selected));
    } catch (ConfigException e) {
      System.err.println("studio: " + e.getMessage());
      return EXIT_BAD_CONFIG;
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    // A migrating operator's old variables are never ignored silently.
    settings.migrationWarnings().forEach(log::warn);
    if (!config.common().secrets().generated().isEmpty()) {
      log.warn("STUDIO_ENV=development: generated throw-away {} for this process; set them to keep tokens valid "
          + "across restarts", String.join(", ", config.common().secrets().generated()));
    }
    if (infraOnly) {
      return runInfrastructure(config, log);
    }
    StudioStack stack;
    try {
      stack = StudioStack.start(config, selected);
    } catch (ConfigException e) {
      System.err.println("studio: " + e.getMessage());
      return EXIT_BAD_CONFIG;
    } catch (Exception e) {
      log.error("could not start: {}", e.getMessage(), e);
      System.err.println("studio: could not start: " + e.getMessage());
      return EXIT_START_FAILED;
    }
    printUrls(stack.ports(), stack.managementPort());
    log.info("on stop, services drain for up to {}s", config.common().gracefulTimeout().toSeconds());
    awaitShutdown(stack, log);
    return 0;
  }

  private static int runInfrastructure(StudioConfig config, Logger log) throws Exception {
    EmbeddedInfrastructure infrastructure;
    try {
      infrastructure = EmbeddedInfrastructure.startMissing(config.common(), true, true);
    } catch (java.io.IOException e) {
      System.err.println("studio: could not start embedded infrastructure: " + e.getMessage());
      return EXIT_START_FAILED;
    }
    var resolved = infrastructure.resolve(config.common());
    System.out.println("export DATABASE_URL=" + resolved.database().url());
    System.out.println("export REDIS_URL=" + resolved.redis().url());
    System.out.println("Embedded infrastructure is up; press Ctrl-C to stop.");
    awaitShutdown(infrastructure, log);
    return 0;
  }

  private Settings readSettings() throws Exception {
    // vertx-config needs a Vert.x; the real one waits until we know whether to cluster it.
    Vertx bootstrap = Vertx.vertx();
    try {
      return ConfigLoader.fromEnvironment(bootstrap, configFile)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof ConfigException config ? config : e;
    } finally {
      bootstrap.close();
    }
  }

  private static void printUrls(Map<ServiceName, Integer> ports, OptionalInt management) {
    StringBuilder text = new StringBuilder("Studio Runtime is up:");
    ports.forEach((name, port) -> text.append(System.lineSeparator()).append("  ")
        .append(String.format("%-10s", name.cliName())).append("http://localhost:").append(port)
        .append(switch (name) {
          case WEB -> "  (pages at /app/, API at /api/v1, docs at /api/v1/openapi.yaml)";
          case HUB -> "  (realtime at ws://localhost:" + port + "/rt/ws)";
          default -> "  (health)";
        }));
    management.ifPresent(port -> text.append(System.lineSeparator()).append("  ")
        .append(String.format("%-10s", "metrics")).append("http://localhost:").append(port).append("/metrics"));
    text.append(System.lineSeparator()).append("Press Ctrl-C to stop.");
    System.out.println(text);
  }

  private static void awaitShutdown(AutoCloseable running, Logger log) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping");
      try {
        running.close();
        log.info("stopped cleanly");
      } catch (Exception e) {
        log.error("stop did not finish cleanly: {}", e.getMessage());
      } finally {
        stopped.countDown();
      }
    }, "studio-shutdown"));
    stopped.await();
  }
}

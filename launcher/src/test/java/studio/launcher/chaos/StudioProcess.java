package studio.launcher.chaos;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -jar launcher/target/studio.jar SERVICE... } process, as an operator runs it: its
 * own environment, its output appended to {@code <logs>/<name>.log}, ready when
 * {@code /health/ready} answers 200. It can be killed (SIGKILL: no draining, sockets cut) and
 * started again with the same environment and ports.
 */
final class StudioProcess implements AutoCloseable {
  /** Small heaps and the serial collector: several of these share two cores with the test JVM. */
  private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String name;
  private final List<String> arguments;
  private final Map<String, String> environment;
  private final int readyPort;
  private final Path log;
  private Process process;

  private StudioProcess(String name, List<String> arguments, Map<String, String> environment, int readyPort, Path log) {
    this.name = name;
    this.arguments = arguments;
    this.environment = environment;
    this.readyPort = readyPort;
    this.log = log;
  }

  /**
   * Starts {@code studio.jar} with {@code arguments} (services, {@code --cluster}); {@code readyPort}
   * is the port whose {@code /health/ready} says the process is up.
   */
  static StudioProcess start(String name, Path logs, Map<String, String> environment, int readyPort,
                             String... arguments) throws IOException {
    StudioProcess started = new StudioProcess(name, List.of(arguments), Map.copyOf(environment), readyPort,
        logs.resolve(name + ".log"));
    started.launch();
    return started;
  }

  String name() {
    return name;
  }

  int port() {
    return readyPort;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Waits for {@code /health/ready}; a process that exits meanwhile fails at once with its log's tail. */
  StudioProcess awaitReady() {
    await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; "
            + "its log " + log + " ends with:\n" + tail());
      }
      return ready();
    });
    return this;
  }

  /** The operating system's id of the running process. */
  long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits until it is gone. */
  void kill() throws Exception {
    process.destroyForcibly().onExit().get(30, TimeUnit.SECONDS);
  }

  /** The same command and environment again; its output goes on in the same log. */
  StudioProcess restart() throws IOException {
    if (alive()) {
      throw new IllegalStateException(name + " is still running");
    }
    launch();
    return this;
  }

  @Override
  public void close() throws Exception {
    if (!alive()) {
      return;
    }
    // SIGTERM: the services drain and the process exits; force it if it hangs.
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).directory(log.getParent().toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // Only what the test chooses: a developer's DATABASE_URL or REDIS_URL must not leak in.
    builder.environment().keySet().removeIf(key -> key.startsWith("STUDIO_") || key.endsWith("_URL")
        || key.equals("JWT_SECRET_KEY") || key.equals("WORKER_SHARED_SECRET"));
    builder.environment().putAll(environment);
    builder.environment().put("LOG_PREFIX", "studio-" + name);
    builder.environment().put("LOG_COLORS", "false");
    process = builder.start();
  }

  private boolean ready() {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + readyPort + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).GET().build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** The runnable jar {@code scripts/test-chaos} builds; surefire runs in the launcher module. */
  private static Path jar() {
    Path jar = Path.of(System.getProperty("studio.chaos.jar", "target/studio.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it first (scripts/studio build), or run scripts/test-chaos");
    }
    return jar;
  }
}

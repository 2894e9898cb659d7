package studio.launcher.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Drives {@code scripts/cluster-local} for a test: its own state directory and base port, the
 * caller's environment plus {@code environment} (passed on to every process), and a stop that runs
 * even when the JVM is ended early (shutdown hook).
 */
final class ClusterLocal implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(6);
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(3);
  private final Path root;
  private final Path state;
  private final int basePort;
  private final Map<String, String> environment;
  private final Thread stopOnExit = new Thread(this::stopQuietly, "cluster-local-stop");
  private String databaseUrl;
  private boolean stopped;

  private ClusterLocal(Path root, Path state, int basePort, Map<String, String> environment) {
    this.root = root;
    this.state = state;
    this.basePort = basePort;
    this.environment = environment;
  }

  /** Starts the cluster; when start fails, whatever it launched is stopped before the failure is thrown. */
  static ClusterLocal start(Path state, int basePort, Map<String, String> environment) throws Exception {
    ClusterLocal cluster = new ClusterLocal(repositoryRoot(), state, basePort, environment);
    Runtime.getRuntime().addShutdownHook(cluster.stopOnExit);
    String output;
    long began = System.nanoTime();
    try {
      output = cluster.run(START_TIMEOUT, "start");
      System.out.printf("scripts/cluster-local start took %d s%n", Duration.ofNanos(System.nanoTime() - began).toSeconds());
    } catch (Exception failed) {
      cluster.stopQuietly();
      throw failed;
    }
    cluster.databaseUrl = output.lines().filter(line -> line.strip().startsWith("DATABASE_URL="))
        .map(line -> line.strip().substring("DATABASE_URL=".length())).findFirst().orElse(null);
    return cluster;
  }

  int httpsPort() {
    return basePort + 443;
  }

  int hubPort(int replica) {
    return basePort + 19 + replica;
  }

  String databaseUrl() {
    return databaseUrl;
  }

  /** {@code scripts/cluster-local kill NAME}: a graceful stop (SIGTERM, the process drains). */
  void stopProcess(String name) throws Exception {
    run(STOP_TIMEOUT, "kill", name);
  }

  /** An abrupt death (SIGKILL): no draining, no lease hand-back, sockets cut. */
  void crash(String name) throws Exception {
    long pid = Long.parseLong(Files.readString(state.resolve("pids").resolve(name + ".pid")).strip());
    ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(name + " is not running"));
    process.destroyForcibly();
    process.onExit().get(30, TimeUnit.SECONDS);
  }

  /** The last lines of a process's log, for failure messages. */
  String log(String name) {
    try {
      List<String> lines = Files.readAllLines(state.resolve("logs").resolve(name + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log for " + name + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws Exception {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      run(STOP_TIMEOUT, "stop");
    } finally {
      removeShutdownHook();
    }
  }

  private void stopQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("cluster-local stop failed: " + e.getMessage());
    }
  }

  private void removeShutdownHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // Already running as the hook.
    }
  }

  private String run(Duration timeout, String... arguments) throws Exception {
    Files.createDirectories(state);
    Path output = Files.createTempFile(state, "cluster-local-" + arguments[0], ".out");
    ProcessBuilder builder = new ProcessBuilder(command(arguments)).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    // Embedded infrastructure of its own, whatever the caller's shell points at.
    env.remove("DATABASE_URL");
    env.remove("REDIS_URL");
    env.putAll(environment);
    env.put("STUDIO_CLUSTER_LOCAL_DIR", state.toString());
    env.put("STUDIO_CLUSTER_LOCAL_BASE_PORT", Integer.toString(basePort));
    Process process = builder.start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("scripts/cluster-local " + String.join(" ", arguments) + " did not finish in "
          + timeout + ":\n" + Files.readString(output));
    }
    String text = Files.readString(output);
    if (process.exitValue() != 0) {
      throw new IllegalStateException("scripts/cluster-local " + String.join(" ", arguments) + " exited "
          + process.exitValue() + ":\n" + text);
    }
    return text;
  }

  private List<String> command(String... arguments) {
    return Stream.concat(Stream.of(root.resolve("scripts/cluster-local").toString()),
        Stream.of(arguments)).toList();
  }

  /** Maven runs the tests in the module directory; the scripts live at the repository root. */
  private static Path repositoryRoot() {
    Path directory = Path.of("").toAbsolutePath();
    while (directory != null) {
      if (Files.isExecutable(directory.resolve("scripts/cluster-local"))) {
        return directory;
      }
      directory = directory.getParent();
    }
    throw new IllegalStateException("scripts/cluster-local not found above " + Path.of("").toAbsolutePath());
  }
}

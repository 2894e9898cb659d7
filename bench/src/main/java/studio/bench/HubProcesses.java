package studio.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;

/** Hub replicas as separate OS processes from the launcher jar, the way operators run them. */
final class HubProcesses implements AutoCloseable {
  static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef";
  static final String WORKER_SECRET = "bench-worker-secret-0123456789abcdef";

  record Replica(Process process, int port) {
  }

  private final List<Replica> replicas = new ArrayList<>();

  /** What runs as the replicas: the hub, or the bench's {@link BareServer} on its own or through Redis. */
  enum Server {
    HUB("hub"), BARE("bare"), BARE_REDIS("bare-redis");

    final String flag;

    Server(String flag) {
      this.flag = flag;
    }

    /** {@code --server}'s value; picocli reports the exception as a bad option value. */
    static final class Flag implements CommandLine.ITypeConverter<Server> {
      @Override
      public Server convert(String value) {
        return Arrays.stream(values()).filter(server -> server.flag.equals(value)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("must be hub, bare or bare-redis, not " + value));
      }
    }
  }

  /**
   * Starts {@code count} replicas on ports from {@code basePort}: {@code studio.jar hub} processes, or
   * {@link BareServer}s with the same JVM options and environment ({@link Server#BARE_REDIS} relays through
   * the Redis at {@code redisUrl}).
   */
  static HubProcesses start(Path studioJar, int count, int basePort, String redisUrl, Server server) throws Exception {
    HubProcesses hubs = new HubProcesses();
    for (int i = 0; i < count; i++) {
      int port = basePort + i;
      List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xms512m", "-Xmx2g",
          "-Xlog:gc:file=target/bench-hub-" + i + "-gc.log"));
      command.addAll(extraHubJvmOptions());
      command.addAll(server == Server.HUB ? List.of("-jar", studioJar.toString(), "hub")
          : List.of("-cp", benchJar(), BareServer.class.getName()));
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(new File("target/bench-hub-" + i + ".log"));
      builder.environment().putAll(Map.of(
          "STUDIO_HUB_PORT", String.valueOf(port), "STUDIO_HTTP_HOST", "127.0.0.1", "REDIS_URL", redisUrl,
          "JWT_SECRET_KEY", JWT_SECRET, "WORKER_SHARED_SECRET", WORKER_SECRET, "LOG_LEVEL", "WARNING",
          "STUDIO_RT_CLIENT_QUEUE_MAX", String.valueOf(8 * 1024 * 1024), "STUDIO_REDIS_POOL_SIZE", "64",
          "STUDIO_DATA_DIR", "target/bench-data-" + i));
      if (server == Server.BARE_REDIS) {
        builder.environment().put("BARE_REDIS_URL", redisUrl);
      }
      hubs.replicas.add(new Replica(builder.start(), port));
    }
    for (Replica replica : hubs.replicas) {
      awaitReady(replica);
    }
    return hubs;
  }

  /**
   * JVM options for the hub processes after the defaults, so they win: {@code -Dbench.hubJvmOptions="-Xms64m
   * -XX:NativeMemoryTracking=summary"} on the bench's command line, to profile or size the hubs as deployed.
   */
  private static List<String> extraHubJvmOptions() {
    String options = System.getProperty("bench.hubJvmOptions", "").trim();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  List<Replica> replicas() {
    return replicas;
  }

  /** Resident memory in MiB, from /proc. */
  static long rssMiB(Process process) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
        .filter(line -> line.startsWith("VmRSS:")).findFirst()
        .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024).orElse(-1L);
  }

  /** User + system CPU time consumed so far, in milliseconds, from /proc. */
  static long cpuMillis(Process process) throws IOException {
    return ServerFigures.cpuMicros(process.pid()) / 1000;
  }

  /** The hub's own view of sequencing (HTTP ingress to Redis and back), from its Prometheus histogram. */
  static String sequencingLatency(int port) throws Exception {
    // HTTP/1.1: with the JDK client's default h2c upgrade, reading a large scrape sometimes failed with
    // "Frame type(100) length(6516590) exceeds MAX_FRAME_SIZE(16384)" and the report died after the run.
    String scrape = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    TreeMap<Double, Double> buckets = new TreeMap<>();
    double count = 0;
    for (String line : scrape.lines().toList()) {
      if (line.startsWith("studio_rt_publish_latency_seconds_bucket{")) {
        String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        buckets.put(le.equals("+Inf") ? Double.MAX_VALUE : Double.parseDouble(le), value);
      } else if (line.startsWith("studio_rt_publish_latency_seconds_count")) {
        count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    double p99 = buckets.entrySet().stream().filter(e -> e.getValue() >= 0.99 * buckets.lastEntry().getValue())
        .findFirst().map(Map.Entry::getKey).orElse(Double.NaN);
    return String.format(Locale.ROOT, "hub-side sequencing p99 <= %.1f ms over %.0f publishes (whole run)",
        p99 * 1000, count);
  }

  private static void awaitReady(Replica replica) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!replica.process().isAlive()) {
        throw new IllegalStateException("hub on port " + replica.port() + " exited; see target/bench-hub-*.log");
      }
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + replica.port() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // the process is still starting; poll again
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("hub on port " + replica.port() + " not ready within 60s");
  }

  private static String benchJar() throws Exception {
    return Path.of(BareServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public void close() {
    replicas.forEach(replica -> replica.process().destroy());
    replicas.forEach(replica -> {
      try {
        replica.process().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}

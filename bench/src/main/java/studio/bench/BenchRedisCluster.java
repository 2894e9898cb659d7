package studio.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code scripts/bench hub --redis cluster}: a 3-master Redis Cluster (no replicas: the bench measures
 * sharded sequencing and fan-out, not failover) of plain {@code redis-server} processes (the Debian
 * package, 7.x) on ports {@code basePort..basePort+2}, cluster bus on {@code basePort+50..}, no
 * persistence, in a temporary directory under target/. {@link #close()} stops them and deletes it.
 */
final class BenchRedisCluster implements AutoCloseable {
  private static final int MASTERS = 3;
  private final Path dir;
  private final List<Process> servers = new ArrayList<>();
  private final List<String> seeds = new ArrayList<>();

  private BenchRedisCluster(Path dir) {
    this.dir = dir;
  }

  static BenchRedisCluster start(int basePort) throws Exception {
    Files.createDirectories(Path.of("target"));
    BenchRedisCluster cluster = new BenchRedisCluster(Files.createTempDirectory(Path.of("target"), "bench-redis-cluster-"));
    try {
      for (int i = 0; i < MASTERS; i++) {
        int port = basePort + i;
        cluster.servers.add(new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-port", String.valueOf(basePort + 50 + i),
                "--cluster-config-file", "nodes-" + port + ".conf", "--dir", cluster.dir.toAbsolutePath().toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no")
            .directory(cluster.dir.toFile()).redirectErrorStream(true)
            .redirectOutput(cluster.dir.resolve("redis-" + port + ".log").toFile()).start());
        cluster.seeds.add("127.0.0.1:" + port);
      }
      for (String seed : cluster.seeds) {
        cluster.awaitCli(seed, List.of("PING"), "PONG");
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      create.addAll(cluster.seeds);
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      cluster.run(create);
      for (String seed : cluster.seeds) {
        cluster.awaitCli(seed, List.of("CLUSTER", "INFO"), "cluster_state:ok");
      }
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /** The REDIS_URL naming this cluster. */
  /** The nodes' process ids, for their CPU figures. */
  List<Long> pids() {
    return servers.stream().map(Process::pid).toList();
  }

  String url() {
    return "redis-cluster://" + String.join(",", seeds);
  }

  private void awaitCli(String node, List<String> command, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> line = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", node.substring(node.indexOf(':') + 1)));
    line.addAll(command);
    while (System.nanoTime() < deadline) {
      try {
        if (run(line).contains(expected)) {
          return;
        }
      } catch (IllegalStateException notYet) {
        // still starting; poll again
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(node + " did not answer " + expected + " within 30 s; see " + dir);
  }

  private String run(List<String> line) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("could not run " + line.get(0) + " (Debian package redis-server 7.x)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", line) + " failed: " + output);
    }
    return output;
  }

  @Override
  public void close() {
    servers.forEach(Process::destroy);
    for (Process server : servers) {
      try {
        if (!server.waitFor(5, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }
}

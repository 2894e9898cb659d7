package studio.embedded;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real Redis topologies built from plain {@code redis-server} processes (the Debian package, 7.x;
 * {@code scripts/test} installs it when missing) on free loopback ports in a temporary directory:
 * a Cluster (3 masters with one replica each for the tests, the bench's own shape for
 * {@code --redis cluster}), a master with a replica watched by 3 Sentinels, or one server behind TLS
 * and a password; Cluster and Sentinel optionally with a password on every process.
 * {@link #close()} stops every process and deletes the directory. Tests and the bench only: nothing
 * in the services starts one (it is here, not in test-support, so the bench can use it without
 * bringing test libraries along).
 */
public final class RedisTopology implements AutoCloseable {
  public static final String MASTER_NAME = "studio";
  private static final String SERVER = "redis-server";
  private static final String CLI = "redis-cli";
  /** A cluster on given ports has its bus ports this far above its node ports. */
  private static final int BUS_PORT_OFFSET = 50;

  private final Path dir;
  private final List<Node> nodes = new ArrayList<>();
  /** Every process's password (requirepass), or null. */
  private final String password;
  private String url;

  /**
   * One process of the topology; {@link #kill()} ends it as a crash would (SIGKILL), {@link #pause()}
   * freezes it as a stalled VM would (SIGSTOP) until {@link #resume()}.
   */
  public record Node(String role, int port, Process process) {
    public void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    public void pause() {
      signal("-STOP");
    }

    public void resume() {
      signal("-CONT");
    }

    private void signal(String signal) {
      try {
        if (new ProcessBuilder("kill", signal, String.valueOf(process.pid())).start().waitFor() != 0) {
          throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private RedisTopology(String name, String password) {
    this.password = password;
    try {
      dir = Files.createTempDirectory("redis-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** 3 masters and 3 replicas, slots assigned, every replica in sync, every node reporting {@code cluster_state:ok}. */
  public static RedisTopology cluster() {
    return cluster(null);
  }

  /**
   * As {@link #cluster()}, every node requiring {@code password} (null for none), also between master
   * and replica. Failover is quick, as the failover tests need: a node is failed after 1 s of silence
   * and its replica may take over however long ago it last heard from it.
   */
  public static RedisTopology cluster(String password) {
    return cluster(3, 1, password, 0);
  }

  /**
   * {@code masters} masters with {@code replicasPerMaster} replicas each, no password, on ports
   * {@code basePort} and up (cluster bus ports from {@code basePort + 50}), or on free ports when
   * {@code basePort} is 0.
   */
  public static RedisTopology cluster(int masters, int replicasPerMaster, int basePort) {
    return cluster(masters, replicasPerMaster, null, basePort);
  }

  private static RedisTopology cluster(int masters, int replicasPerMaster, String password, int basePort) {
    int size = masters * (1 + replicasPerMaster);
    if (basePort != 0 && size > BUS_PORT_OFFSET) {
      throw new IllegalArgumentException(size + " nodes do not fit below the cluster bus ports at +" + BUS_PORT_OFFSET);
    }
    // With replicas, failover is quick: without, Redis's default node timeout stands, as a node marked
    // failed would only take its slots offline.
    List<String> failover = replicasPerMaster == 0 ? List.of()
        : List.of("--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0");
    RedisTopology topology = new RedisTopology("cluster", password);
    try {
      List<String> seeds = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        int port = basePort == 0 ? freePort() : basePort + i;
        int busPort = basePort == 0 ? freePort() : basePort + BUS_PORT_OFFSET + i;
        List<String> options = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-port",
            String.valueOf(busPort), "--cluster-config-file", "nodes-" + port + ".conf"));
        options.addAll(failover);
        topology.start("node", port, options.toArray(String[]::new));
        seeds.add("127.0.0.1:" + port);
      }
      List<String> create = new ArrayList<>(List.of(CLI));
      create.addAll(topology.auth());
      create.addAll(List.of("--cluster", "create"));
      create.addAll(seeds);
      create.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
      topology.run(create);
      for (Node node : topology.nodes) {
        poll(Duration.ofSeconds(20), Duration.ofMillis(100), "node " + node.port() + " in a healthy cluster",
            () -> topology.cli(node.port(), "CLUSTER", "INFO").contains("cluster_state:ok")
                && (topology.cli(node.port(), "ROLE").startsWith("master")
                    || topology.cli(node.port(), "INFO", "replication").contains("master_link_status:up")));
      }
      topology.url = "redis-cluster://" + userinfo(password) + String.join(",", seeds);
      return topology;
    } catch (RuntimeException e) {
      topology.close();
      throw e;
    }
  }

  /** A master, its replica (in sync) and 3 Sentinels that agree on the master named {@link #MASTER_NAME}. */
  public static RedisTopology sentinel() {
    return sentinel(null);
  }

  /**
   * As {@link #sentinel()}, every process (data nodes and Sentinels alike) requiring {@code password}
   * (null for none): replicas and Sentinels authenticate to the data nodes, Sentinels to each other.
   */
  public static RedisTopology sentinel(String password) {
    RedisTopology topology = new RedisTopology("sentinel", password);
    try {
      int master = freePort();
      topology.start("master", master);
      int replica = freePort();
      topology.start("replica", replica, "--replicaof", "127.0.0.1", String.valueOf(master));
      poll(Duration.ofSeconds(20), Duration.ofMillis(100), "replica " + replica + " in sync",
          () -> topology.cli(replica, "INFO", "replication").contains("master_link_status:up"));
      List<String> sentinels = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int port = freePort();
        Path config = topology.dir.resolve("sentinel-" + port + ".conf");
        write(config, "port " + port + "\nbind 127.0.0.1\ndir " + topology.dir + "\n"
            + "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master + " 2\n"
            + "sentinel down-after-milliseconds " + MASTER_NAME + " 1000\n"
            + "sentinel failover-timeout " + MASTER_NAME + " 5000\n"
            + (password == null ? "" : "requirepass " + password + "\nsentinel sentinel-pass " + password + "\n"
                + "sentinel auth-pass " + MASTER_NAME + " " + password + "\n"));
        topology.launch("sentinel", port, List.of(SERVER, config.toString(), "--sentinel"));
        sentinels.add("127.0.0.1:" + port);
      }
      for (Node sentinel : topology.nodes("sentinel")) {
        poll(Duration.ofSeconds(20), Duration.ofMillis(100), "sentinel " + sentinel.port() + " seeing the replica and its peers",
            () -> topology.cli(sentinel.port(), "SENTINEL", "REPLICAS", MASTER_NAME).contains(String.valueOf(replica))
                && topology.cli(sentinel.port(), "SENTINEL", "SENTINELS", MASTER_NAME).split("\n").length >= 2);
      }
      topology.url = "redis-sentinel://" + userinfo(password) + String.join(",", sentinels) + "/" + MASTER_NAME;
      return topology;
    } catch (RuntimeException e) {
      topology.close();
      throw e;
    }
  }

  /**
   * One server that only speaks TLS (certificate for {@code localhost} and 127.0.0.1, self-signed:
   * {@link #caFile()}) and requires {@code password}.
   */
  public static RedisTopology tls(String password) {
    RedisTopology topology = new RedisTopology("tls", null);
    try {
      Path cert = topology.dir.resolve("redis.crt");
      Path key = topology.dir.resolve("redis.key");
      topology.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
          "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
          "-keyout", key.toString(), "-out", cert.toString()));
      int port = freePort();
      topology.start("tls", port, "--port", "0", "--tls-port", String.valueOf(port), "--tls-cert-file", cert.toString(),
          "--tls-key-file", key.toString(), "--tls-auth-clients", "no", "--requirepass", password);
      topology.url = "rediss://:" + password + "@localhost:" + port;
      return topology;
    } catch (RuntimeException e) {
      topology.close();
      throw e;
    }
  }

  /** The REDIS_URL that names this topology. */
  public String url() {
    return url;
  }

  public Path caFile() {
    return dir.resolve("redis.crt");
  }

  /** Every process's id, for CPU figures. */
  public List<Long> pids() {
    return nodes.stream().map(node -> node.process().pid()).toList();
  }

  public List<Node> nodes(String role) {
    return nodes.stream().filter(node -> node.role().equals(role)).toList();
  }

  /** A command through {@code redis-cli} on one node (no TLS, with the topology's password), answered as text; for setup and assertions. */
  public String cli(int port, String... command) {
    List<String> line = new ArrayList<>(List.of(CLI, "-h", "127.0.0.1", "-p", String.valueOf(port)));
    line.addAll(auth());
    line.addAll(List.of(command));
    return run(line);
  }

  /** The Cluster master that owns hash slot {@code slot} now (after a failover, the promoted replica). */
  public Node masterOfSlot(int slot) {
    return nodes("node").stream()
        .filter(node -> node.process().isAlive() && cli(node.port(), "ROLE").startsWith("master") && ownsSlot(node, slot))
        .findFirst().orElseThrow(() -> new IllegalStateException("no master owns slot " + slot));
  }

  /** The Cluster node replicating {@code master}. */
  public Node replicaOf(Node master) {
    String masterId = cli(master.port(), "CLUSTER", "MYID").trim();
    return nodes("node").stream()
        .filter(node -> node.process().isAlive() && cli(node.port(), "CLUSTER", "NODES").lines()
            .anyMatch(line -> line.contains("myself") && line.split(" ")[3].equals(masterId)))
        .findFirst().orElseThrow(() -> new IllegalStateException("no replica of " + master.port()));
  }

  /** Whether the node's own line in CLUSTER NODES lists a slot range holding {@code slot}. */
  private boolean ownsSlot(Node node, int slot) {
    for (String line : cli(node.port(), "CLUSTER", "NODES").split("\n")) {
      if (line.contains("myself")) {
        for (String range : line.substring(line.indexOf("connected") + "connected".length()).trim().split(" ")) {
          String[] bounds = range.split("-");
          if (!range.isEmpty() && !range.startsWith("[") && Integer.parseInt(bounds[0]) <= slot
              && slot <= Integer.parseInt(bounds[bounds.length - 1])) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private List<String> auth() {
    return password == null ? List.of() : List.of("-a", password, "--no-auth-warning");
  }

  private static String userinfo(String password) {
    return password == null ? "" : ":" + password + "@";
  }

  @Override
  public void close() {
    nodes.forEach(node -> node.process().destroy());
    for (Node node : nodes) {
      try {
        if (!node.process().waitFor(5, TimeUnit.SECONDS)) {
          node.kill();
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

  private void start(String role, int port, String... options) {
    // No persistence: a test's data lives as long as its processes. A replica syncs at once
    // (repl-diskless-sync-delay defaults to 5 s): one not yet in sync could never take over.
    List<String> line = new ArrayList<>(List.of(SERVER, "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--repl-diskless-sync-delay", "0", "--logfile", dir.resolve(role + "-" + port + ".log").toString()));
    if (password != null) {
      line.addAll(List.of("--requirepass", password, "--masterauth", password));
    }
    line.addAll(List.of(options));
    launch(role, port, line);
    Process process = nodes.get(nodes.size() - 1).process();
    poll(Duration.ofSeconds(10), Duration.ofMillis(50), role + " on port " + port + " listening",
        () -> listening(port) || !process.isAlive());
    if (!process.isAlive()) {
      throw new IllegalStateException(role + " on port " + port + " exited at start; its log: "
          + dir.resolve(role + "-" + port + ".log"));
    }
  }

  private void launch(String role, int port, List<String> line) {
    try {
      Process process = new ProcessBuilder(line).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(dir.resolve(role + "-" + port + ".out").toFile()).start();
      nodes.add(new Node(role, port, process));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + line.get(0)
          + " (Debian package redis-server 7.x; scripts/test installs it)", e);
    }
  }

  private String run(List<String> line) {
    try {
      Process process = new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", line) + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + line.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks {@code condition} every {@code interval} until it holds (a check that throws counts as not yet,
   * as a process still starting refuses connections); after {@code timeout}, fails naming {@code what}.
   */
  private static void poll(Duration timeout, Duration interval, String what, Callable<Boolean> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.call()) {
          return;
        }
      } catch (Exception notYet) {
        // polled again below
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + what + " within " + timeout.toSeconds() + " s");
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A free port below the kernel's ephemeral range when there is room: a port the kernel hands out
   * (port 0) is free only until the next outgoing connection takes it as its local port, which once
   * left a node unable to bind (CI, 2026-11-30) in the seconds between this check and its start.
   */
  private static int freePort() {
    int ephemeralStart = ephemeralRangeStart();
    for (int attempt = 0; ephemeralStart > 21_000 && attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, ephemeralStart);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int ephemeralRangeStart() {
    try {
      return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException unknown) {
      return 32_768;
    }
  }
}

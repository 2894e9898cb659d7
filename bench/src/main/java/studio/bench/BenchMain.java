package studio.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.embedded.EmbeddedRedisServer;
import studio.embedded.RedisTopology;

/** {@code scripts/bench hub ...}: prints figures; a benchmark, never a pass/fail test. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchMain.Hub.class, TaskBench.class, DownloadBench.class},
    description = "Studio Runtime benchmarks")
public final class BenchMain {
  public static void main(String[] args) {
    // Presets in scripts/bench set options that a caller may repeat to override (connect --replicas 1).
    System.exit(new CommandLine(new BenchMain()).setOverwrittenOptionsAllowed(true).execute(args));
  }

  @Command(name = "hub", mixinStandardHelpOptions = true,
      description = "Hub replicas (separate processes, real Redis) under N WebSocket clients and a publish rate.")
  static final class Hub implements Callable<Integer> {
    /**
     * The JIT compilers' share of the hubs' CPU above which the hubs are still warming up. A share of
     * the hubs' CPU, not of a core: at 1,000 publishes/s the hubs use a fifth of a core, and compilers
     * at 4 % of a core were still 40 % of what the measured window charged to each publish.
     */
    private static final double COMPILING = 0.05;
    @Option(names = "--replicas", defaultValue = "1", description = "hub processes (default ${DEFAULT-VALUE})")
    int replicas;
    @Option(names = "--clients", defaultValue = "1000", description = "WebSocket clients (default ${DEFAULT-VALUE})")
    int clients;
    @Option(names = "--rooms", defaultValue = "1", description = "rooms the clients spread over (default ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--rate", defaultValue = "100", description = "events published per second (default ${DEFAULT-VALUE})")
    int rate;
    @Option(names = "--duration", defaultValue = "20", description = "seconds of publishing (default ${DEFAULT-VALUE})")
    int duration;
    @Option(names = "--warmup", defaultValue = "10", description = "seconds of the same load before measuring; "
        + "then more, as long as --duration at a time, until the hubs' JIT compilers used under 5 %% of the hubs' CPU (default ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--warmup-max", defaultValue = "240",
        description = "seconds the warm-up may last while the JIT is still compiling (default ${DEFAULT-VALUE})")
    int warmupMax;
    @Option(names = "--payload", defaultValue = "200", description = "payload padding bytes (default ${DEFAULT-VALUE})")
    int payload;
    @Option(names = "--protocol", defaultValue = "native",
        description = "native (frames on /rt/ws) or socketio (Socket.IO over WebSocket on /socket.io) (default ${DEFAULT-VALUE})")
    String protocol;
    @Option(names = "--studio-jar", defaultValue = "launcher/target/studio.jar")
    Path studioJar;
    @Option(names = "--base-port", defaultValue = "18081")
    int basePort;
    @Option(names = "--redis", defaultValue = "standalone",
        description = "standalone (embedded Redis, or REDIS_URL when set) or cluster (a 3-master Redis Cluster of "
            + "redis-server processes started for the run) (default ${DEFAULT-VALUE})")
    String redisTopology;
    @Option(names = "--redis-base-port", defaultValue = "18100",
        description = "first port of the --redis cluster nodes (3 ports, bus ports from +50) (default ${DEFAULT-VALUE})")
    int redisBasePort;
    @Option(names = "--batch", defaultValue = "1",
        description = "drafts per POST /api/v1/events; above 1 the publisher sends batches {\"events\":[...]} (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--connect-parallel", defaultValue = "500", description = "clients connecting at a time (default ${DEFAULT-VALUE})")
    int connectParallel;
    @Option(names = "--connect-rounds", defaultValue = "1",
        description = "connect all clients this many times, closing them between rounds; the last round is measured, "
            + "the first is printed as the cold-JIT figure (default ${DEFAULT-VALUE})")
    int connectRounds;
    @Option(names = "--connect-rounds-max", defaultValue = "0",
        description = "after --connect-rounds, more rounds (up to this many in all) while the hubs' JIT compilers used "
            + "over 5 %% of the hubs' CPU in the round before, so the measured round is the steady state (default: no more)")
    int connectRoundsMax;
    /** The round measured: the last one, after --connect-rounds and any the JIT asked for. */
    int measuredRound;
    @Option(names = "--memory", description = "live heap after a full GC (jcmd) and RSS per connection, against the idle hub")
    boolean memory;
    @Option(names = "--redis-port", defaultValue = "0", description = "port of the embedded Redis (default: a free one)")
    int redisPort;
    @Option(names = "--redis-pid", defaultValue = "0",
        description = "Redis's pid for its CPU figures (default: from its INFO server; needed for a REDIS_URL it cannot read)")
    long redisPid;
    @Option(names = "--preset", defaultValue = "hub", description = "name printed on the figures block")
    String preset;
    @Option(names = "--server", defaultValue = "hub", converter = HubProcesses.Server.Flag.class,
        description = "hub (studio.jar hub processes), bare (the one-file floor, studio.bench.BareServer: no Redis, auth, "
            + "history or validation) or bare-redis (the same, each event through one Redis PUBLISH, as Socket.IO's "
            + "Redis adapter sends it) (default ${DEFAULT-VALUE})")
    HubProcesses.Server server;

    private double warmedSeconds;
    /** Hub CPU (all replicas) while the measured connect round ran. */
    private long connectHubMicros;
    /** The hubs' JIT compilers' CPU in the measured window, which the hub figures include. */
    private long measuredCompilerMicros;

    /** The measured phase's publish-to-receive latency, read once by the report (reading resets the recorder). */
    private Histogram measuredLatency;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(Path.of("target"));
      boolean cluster = switch (redisTopology) {
        case "standalone" -> false;
        case "cluster" -> true;
        default -> throw new CommandLine.ParameterException(new CommandLine(this),
            "--redis must be standalone or cluster, not " + redisTopology);
      };
      // No replicas: the bench measures sharded sequencing and fan-out, not failover.
      RedisTopology redisCluster = cluster ? RedisTopology.cluster(3, 0, redisBasePort) : null;
      String redisUrl = cluster ? redisCluster.url() : System.getenv("REDIS_URL");
      EmbeddedRedisServer redis = redisUrl == null ? EmbeddedRedisServer.start(null, redisPort) : null;
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
      try (HubProcesses hubs = HubProcesses.start(studioJar, replicas, basePort, redis != null ? redis.url() : redisUrl, server)) {
        List<String> roomKeys = IntStream.range(0, rooms).mapToObj(i -> "task:bench-" + System.nanoTime() + "-" + i).toList();
        LoadGenerator load = new LoadGenerator(vertx, hubs.replicas(), LoadGenerator.Protocol.valueOf(protocol.toUpperCase(Locale.ROOT)));
        List<Long> redisProcesses = redisPid != 0 ? List.of(redisPid) : redisCluster != null ? redisCluster.pids()
            : List.of(findRedisPid(redis != null ? redis.url() : redisUrl));
        List<HeapSnapshot> idleMemory = memory ? memory(hubs) : null;
        measuredRound = 1;
        double compilerShare = 1;
        while (measuredRound < connectRounds || (compilerShare > COMPILING && measuredRound < connectRoundsMax)) {
          CompilerWatch round = CompilerWatch.start(hubs);
          load.connect(clients, roomKeys, connectParallel).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
          double seconds = round.seconds();
          compilerShare = round.shareOfHubs();
          System.out.printf(Locale.ROOT, "connect round %d (not measured): %d clients in %.2f s, JIT compilers at %.1f %% "
              + "of the hubs' CPU%n", measuredRound, load.connectedClients(), seconds, compilerShare * 100);
          load.disconnectAll().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
          measuredRound++;
        }
        long connectCpuBefore = hubsCpuMicros(hubs);
        long connectStart = System.nanoTime();
        load.connect(clients, roomKeys, connectParallel).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        connectHubMicros = hubsCpuMicros(hubs) - connectCpuBefore;
        List<HeapSnapshot> connectedMemory = memory ? memory(hubs) : null;
        Phase warm = warmUp(load, roomKeys, hubs);
        load.latency.reset();
        load.publishLatency.reset();
        long[] cpuBefore = cpu(hubs);
        long hubsMicrosBefore = hubsCpuMicros(hubs);
        long redisMicrosBefore = redisCpuMicros(redisProcesses);
        long publishStart = System.nanoTime();
        CompilerWatch measuring = CompilerWatch.start(hubs);
        Phase measured = runPhase(load, roomKeys, duration, warm);
        measuredCompilerMicros = measuring.compilerMicros();
        double seconds = (System.nanoTime() - publishStart) / 1e9;
        long[] cpuAfter = cpu(hubs);
        long hubsMicros = hubsCpuMicros(hubs) - hubsMicrosBefore;
        long redisMicros = redisMicrosBefore < 0 ? -1 : redisCpuMicros(redisProcesses) - redisMicrosBefore;
        report(hubs, load, measured, connectSeconds, seconds, cpuBefore, cpuAfter);
        figures(load, measured, connectSeconds, hubsMicros, redisMicros, idleMemory, connectedMemory);
        return 0;
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (redis != null) {
          redis.close();
        }
        if (redisCluster != null) {
          redisCluster.close();
        }
      }
    }

    /** Counts of one publishing phase: what was published, expected and delivered in it. */
    record Phase(long published, long expected, long delivered) {
    }

    /**
     * The load for {@code --warmup} seconds, then for phases as long as the measured window while the
     * hubs' JIT compilers used over {@link #COMPILING} of the hubs' CPU in the last one: a short warm-up
     * measured C2 compiling (a third of a hub's CPU after 20 s), not the steady state a hub that runs for
     * days is in. C2 compiles in bursts, so a calm 5 s phase was followed by a window with 14 % in it.
     * Prints how long it took.
     */
    private Phase warmUp(LoadGenerator load, List<String> roomKeys, HubProcesses hubs) throws Exception {
      if (warmup == 0) {
        return new Phase(0, 0, 0);
      }
      long started = System.nanoTime();
      Phase warm = new Phase(0, 0, 0);
      int seconds = warmup;
      double compilerShare;
      do {
        CompilerWatch phase = CompilerWatch.start(hubs);
        warm = runPhase(load, roomKeys, seconds, warm);
        compilerShare = phase.shareOfHubs();
        seconds = Math.max(5, duration);
      } while (compilerShare > COMPILING && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(warmupMax));
      warmedSeconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(Locale.ROOT, "warm-up: %.0f s, JIT compilers at %.1f %% of the hubs' CPU in its last phase%s%n",
          warmedSeconds, compilerShare * 100, compilerShare > COMPILING ? " (still compiling: --warmup-max reached)" : "");
      return warm;
    }

    /** Publishes for {@code seconds}, then waits (up to 15 s) until every expected delivery arrived. */
    private Phase runPhase(LoadGenerator load, List<String> roomKeys, int seconds, Phase before) throws Exception {
      if (seconds == 0) {
        return before;
      }
      long publishedBefore = load.published.sum();
      long deliveredBefore = load.delivered.sum();
      load.publish(roomKeys, rate, seconds, payload, batch).toCompletionStage().toCompletableFuture()
          .get(seconds + 120L, TimeUnit.SECONDS);
      long published = load.published.sum() - publishedBefore;
      long expected = expectedDeliveries(published);
      long settleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (load.delivered.sum() - deliveredBefore < expected && System.nanoTime() < settleDeadline) {
        Thread.sleep(100);
      }
      return new Phase(published, expected, load.delivered.sum() - deliveredBefore);
    }

    private long expectedDeliveries(long publishedEvents) {
      long total = 0;
      for (int room = 0; room < rooms; room++) {
        long clientsInRoom = clients / rooms + (room < clients % rooms ? 1 : 0);
        long eventsInRoom = publishedEvents / rooms + (room < publishedEvents % rooms ? 1 : 0);
        total += clientsInRoom * eventsInRoom;
      }
      return total;
    }

    private static long findRedisPid(String url) {
      try {
        return ServerFigures.redisPid(url);
      } catch (Exception e) {
        System.err.println("bench: Redis CPU not measured (" + e.getMessage() + "); pass --redis-pid");
        return -1;
      }
    }

    /** All Redis processes' CPU (one, or each node of a cluster); -1 when a pid is unknown. */
    private static long redisCpuMicros(List<Long> pids) throws IOException {
      long total = 0;
      for (long pid : pids) {
        if (pid <= 0) {
          return -1;
        }
        total += ServerFigures.cpuMicros(pid);
      }
      return total;
    }

    private static long hubsCpuMicros(HubProcesses hubs) throws IOException {
      return sumOverHubs(hubs, ServerFigures::cpuMicros);
    }

    /**
     * The hubs' JIT compiler threads from {@link #start} on, as a share of all the hubs' CPU: over
     * {@link #COMPILING} they are still compiling, and what runs meanwhile is not the steady state.
     */
    private record CompilerWatch(HubProcesses hubs, long startNanos, long startCompilerMicros, long startHubMicros) {
      static CompilerWatch start(HubProcesses hubs) throws IOException {
        return new CompilerWatch(hubs, System.nanoTime(), sumOverHubs(hubs, ServerFigures::compilerCpuMicros),
            hubsCpuMicros(hubs));
      }

      double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
      }

      long compilerMicros() throws IOException {
        return sumOverHubs(hubs, ServerFigures::compilerCpuMicros) - startCompilerMicros;
      }

      double shareOfHubs() throws IOException {
        long compilers = compilerMicros();
        return (double) compilers / Math.max(1, hubsCpuMicros(hubs) - startHubMicros);
      }
    }

    /** A /proc figure summed over the hub processes. */
    private static long sumOverHubs(HubProcesses hubs, ProcFigure figure) throws IOException {
      long total = 0;
      for (HubProcesses.Replica replica : hubs.replicas()) {
        total += figure.of(replica.process().pid());
      }
      return total;
    }

    @FunctionalInterface
    private interface ProcFigure {
      long of(long pid) throws IOException;
    }

    private static List<HeapSnapshot> memory(HubProcesses hubs) throws Exception {
      List<HeapSnapshot> snapshots = new ArrayList<>();
      for (var replica : hubs.replicas()) {
        snapshots.add(HeapSnapshot.of(replica.process().pid()));
      }
      return snapshots;
    }

    /** The block the presets are read from: cost per delivery, per publish and per connection. */
    private void figures(LoadGenerator load, Phase phase, double connectSeconds, long hubsMicros, long redisMicros,
                         List<HeapSnapshot> idle, List<HeapSnapshot> connected) throws Exception {
      StringBuilder out = new StringBuilder();
      out.append(String.format(Locale.ROOT, "== figures: %s%s (replicas=%d clients=%d rooms=%d rate=%d/s batch=%d), load average %s%n",
          preset, server == HubProcesses.Server.HUB ? "" : " on the " + server.flag + " server", replicas, clients, rooms, rate, batch, ServerFigures.loadAverage()));
      out.append(String.format(Locale.ROOT, "connect+subscribe: %d clients in %.2f s (%d at a time%s), hub CPU %.0f us per connect%n",
          load.connectedClients(), connectSeconds, connectParallel,
          measuredRound > 1 ? ", round " + measuredRound + " of " + measuredRound : "",
          load.connectedClients() == 0 ? 0.0 : (double) connectHubMicros / load.connectedClients()));
      if (phase.published() > 0) {
        Histogram latency = measuredLatency;
        long serverMicros = hubsMicros + Math.max(0, redisMicros);
        out.append(String.format(Locale.ROOT, "deliveries: %d of %d (lost %d), p50 %.2f ms, p99 %.2f ms%n",
            phase.delivered(), phase.expected(), Math.max(0, phase.expected() - phase.delivered()),
            latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0));
        out.append(String.format(Locale.ROOT, "server CPU per delivery: %.1f us (hubs %.1f + Redis %s)%n",
            (double) serverMicros / Math.max(1, phase.delivered()), (double) hubsMicros / Math.max(1, phase.delivered()),
            redisMicros < 0 ? "not measured" : String.format(Locale.ROOT, "%.1f", (double) redisMicros / Math.max(1, phase.delivered()))));
        out.append(String.format(Locale.ROOT, "per publish (%d events in %d HTTP requests): Redis CPU %s us, hub CPU %.1f us%n",
            phase.published(), (phase.published() + batch - 1) / batch,
            redisMicros < 0 ? "not measured" : String.format(Locale.ROOT, "%.1f", (double) redisMicros / phase.published()),
            (double) hubsMicros / phase.published()));
        out.append(String.format(Locale.ROOT,
            "JIT compilers in the measured window: %.1f %% of the hubs' CPU (%.1f us per delivery, %.1f us per publish, included above)%n",
            100.0 * measuredCompilerMicros / Math.max(1, hubsMicros), (double) measuredCompilerMicros / Math.max(1, phase.delivered()),
            (double) measuredCompilerMicros / phase.published()));
      }
      if (idle != null) {
        for (int i = 0; i < idle.size(); i++) {
          long held = Math.max(1, (load.connectedClients() + idle.size() - 1 - i) / idle.size());
          HeapSnapshot before = idle.get(i);
          HeapSnapshot after = connected.get(i);
          out.append(String.format(Locale.ROOT,
              "hub[%d] memory per connection (%d held): live heap after full GC %.1f KiB (%d -> %d MiB), RSS %.1f KiB (%d -> %d MiB)%n",
              i, held, (double) (after.liveHeapKiB() - before.liveHeapKiB()) / held, before.liveHeapKiB() / 1024,
              after.liveHeapKiB() / 1024, (double) (after.rssKiB() - before.rssKiB()) / held, before.rssKiB() / 1024,
              after.rssKiB() / 1024));
          out.append("  live heap per connection by class (bytes, instances):\n");
          out.append(after.perConnectionByClass(before, held, 15));
        }
      }
      System.out.print(out);
    }

    private static long[] cpu(HubProcesses hubs) throws Exception {
      long[] millis = new long[hubs.replicas().size()];
      for (int i = 0; i < millis.length; i++) {
        millis[i] = HubProcesses.cpuMillis(hubs.replicas().get(i).process());
      }
      return millis;
    }

    private void report(HubProcesses hubs, LoadGenerator load, Phase phase, double connectSeconds, double seconds,
                        long[] cpuBefore, long[] cpuAfter) throws Exception {
      long expected = phase.expected();
      Histogram latency = load.latency.getIntervalHistogram();
      measuredLatency = latency;
      Histogram publishLatency = load.publishLatency.getIntervalHistogram();
      long delivered = phase.delivered();
      StringBuilder out = new StringBuilder();
      out.append(String.format(Locale.ROOT,
          "scenario: redis=%s protocol=%s replicas=%d clients=%d rooms=%d rate=%d/s duration=%ds (after %.0fs warm-up) payload=%dB%n",
          redisTopology, protocol, replicas, clients, rooms, rate, duration, warmedSeconds, payload));
      out.append(String.format(Locale.ROOT, "connections held: %d/%d (connected+subscribed in %.1fs)%n",
          load.connectedClients(), clients, connectSeconds));
      out.append(String.format(Locale.ROOT, "published: %d ok, %d failed (whole run)%n", phase.published(),
          load.publishFailures.sum()));
      out.append(String.format(Locale.ROOT, "delivered: %d of %d expected (%.0f deliveries/s over %.1fs)%n",
          delivered, expected, delivered / seconds, seconds));
      out.append(String.format(Locale.ROOT, "lost: %d   duplicates: %d   offset gaps: %d%n",
          Math.max(0, expected - delivered), load.duplicates.sum(), load.gaps.sum()));
      if ("socketio".equalsIgnoreCase(protocol)) {
        out.append(String.format(Locale.ROOT, "typed copies (the event under its event_type) received: %d (whole run)%n",
            load.typedCopies.sum()));
      }
      out.append(String.format(Locale.ROOT, "latency publish->receive: p50 %.2f ms  p99 %.2f ms  max %.2f ms  (%d samples)%n",
          latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
          latency.getMaxValue() / 1000.0, latency.getTotalCount()));
      out.append(String.format(Locale.ROOT, "publish (HTTP 202) latency: p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
          publishLatency.getValueAtPercentile(50) / 1000.0, publishLatency.getValueAtPercentile(99) / 1000.0,
          publishLatency.getMaxValue() / 1000.0));
      for (int i = 0; i < hubs.replicas().size(); i++) {
        var process = hubs.replicas().get(i).process();
        long cpuMillis = cpuAfter[i] - cpuBefore[i];
        out.append(String.format(Locale.ROOT, "hub[%d] pid %d: RSS %d MiB, CPU %.0f%% of one core (%.1f us per delivery), %s%n",
            i, process.pid(), HubProcesses.rssMiB(process), cpuMillis / (seconds * 10.0),
            delivered == 0 ? 0.0 : cpuMillis * 1000.0 / delivered * hubs.replicas().size(),
            server != HubProcesses.Server.HUB ? server.flag + " server" : HubProcesses.sequencingLatency(hubs.replicas().get(i).port())));
      }
      System.out.print(out);
    }
  }
}

package studio.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** {@code scripts/bench hub ...}: prints figures; a benchmark, never a pass/fail test. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchMain.Hub.class, TaskBench.class, DownloadBench.class},
    description = "Studio Runtime benchmarks")
public final class BenchMain {
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Command(name = "hub", mixinStandardHelpOptions = true,
      description = "Hub replicas (separate processes, real Redis) under N WebSocket clients and a publish rate.")
  static final class Hub implements Callable<Integer> {
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
    @Option(names = "--warmup", defaultValue = "10", description = "seconds of the same load before measuring, "
        + "so the JIT has compiled the hot paths (default ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--payload", defaultValue = "200", description = "payload padding bytes (default ${DEFAULT-VALUE})")
    int payload;
    @Option(names = "--protocol", defaultValue = "native",
        description = "native (frames on /rt/ws) or socketio (Socket.IO over WebSocket on /socket.io) (default ${DEFAULT-VALUE})")
    String protocol;
    @Option(names = "--studio-jar", defaultValue = "launcher/target/studio.jar")
    Path studioJar;
    @Option(names = "--base-port", defaultValue = "18081")
    int basePort;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(Path.of("target"));
      String redisUrl = System.getenv("REDIS_URL");
      EmbeddedRedisServer redis = redisUrl == null ? EmbeddedRedisServer.start(null, 0) : null;
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
      try (HubProcesses hubs = HubProcesses.start(studioJar, replicas, basePort, redis != null ? redis.url() : redisUrl)) {
        List<String> roomKeys = IntStream.range(0, rooms).mapToObj(i -> "task:bench-" + System.nanoTime() + "-" + i).toList();
        LoadGenerator load = new LoadGenerator(vertx, hubs.replicas(), LoadGenerator.Protocol.valueOf(protocol.toUpperCase(Locale.ROOT)));
        long connectStart = System.nanoTime();
        load.connect(clients, roomKeys, 500).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        Phase warm = runPhase(load, roomKeys, warmup, new Phase(0, 0, 0));
        load.latency.reset();
        load.publishLatency.reset();
        long[] cpuBefore = cpu(hubs);
        long publishStart = System.nanoTime();
        Phase measured = runPhase(load, roomKeys, duration, warm);
        double seconds = (System.nanoTime() - publishStart) / 1e9;
        long[] cpuAfter = cpu(hubs);
        report(hubs, load, measured, connectSeconds, seconds, cpuBefore, cpuAfter);
        return 0;
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (redis != null) {
          redis.close();
        }
      }
    }

    /** Counts of one publishing phase: what was published, expected and delivered in it. */
    record Phase(long published, long expected, long delivered) {
    }

    /** Publishes for {@code seconds}, then waits (up to 15 s) until every expected delivery arrived. */
    private Phase runPhase(LoadGenerator load, List<String> roomKeys, int seconds, Phase before) throws Exception {
      if (seconds == 0) {
        return before;
      }
      long publishedBefore = load.published.sum();
      long deliveredBefore = load.delivered.sum();
      load.publish(roomKeys, rate, seconds, payload).toCompletionStage().toCompletableFuture()
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
      Histogram publishLatency = load.publishLatency.getIntervalHistogram();
      long delivered = phase.delivered();
      StringBuilder out = new StringBuilder();
      out.append(String.format(Locale.ROOT,
          "scenario: protocol=%s replicas=%d clients=%d rooms=%d rate=%d/s duration=%ds (after %ds warm-up) payload=%dB%n",
          protocol, replicas, clients, rooms, rate, duration, warmup, payload));
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
            HubProcesses.sequencingLatency(hubs.replicas().get(i).port())));
      }
      System.out.print(out);
    }
  }
}

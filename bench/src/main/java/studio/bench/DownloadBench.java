package studio.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.downloads.DownloadJobsVerticle;
import studio.downloads.DownloadsConfig;
import studio.downloadstore.DownloadJobStore;
import studio.downloadstore.DownloadRequest;
import studio.downloadstore.DownloadSignals;
import studio.embedded.EmbeddedPostgresServer;
import studio.hub.HubConfig;
import studio.hub.HubVerticle;
import studio.outbox.OutboxVerticle;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.egress.EgressConfig;
import studio.runtime.service.ServiceContext;

/**
 * {@code scripts/bench downloads}: one large file served from loopback, downloaded alternately by
 * {@code curl -o} and by a download job (the real service on embedded PostgreSQL: claim, stream to a
 * partial file, SHA-256, verify, rename, progress events), timed from submit to succeeded.
 */
@Command(name = "downloads", mixinStandardHelpOptions = true,
    description = "Download-job throughput of one large local file against curl on the same file.")
final class DownloadBench implements Callable<Integer> {
  @Option(names = "--size-mib", defaultValue = "1024", description = "file size in MiB (default ${DEFAULT-VALUE})")
  int sizeMib;
  @Option(names = "--runs", defaultValue = "3", description = "runs of each downloader (default ${DEFAULT-VALUE})")
  int runs;
  @Option(names = "--dir", defaultValue = "target/bench-downloads", description = "scratch directory")
  Path dir;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dir);
    Path source = dir.resolve("source.bin");
    String sha256 = generate(source, (long) sizeMib << 20);
    Vertx vertx = Vertx.vertx();
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(null, 0)) {
      HttpServer server = await(vertx.createHttpServer()
          .requestHandler(request -> request.response().sendFile(source.toString()))
          .listen(0, "127.0.0.1"));
      String url = "http://127.0.0.1:" + server.actualPort() + "/source.bin";
      Settings settings = Settings.of(Map.of("DATABASE_URL", postgres.url(), "STUDIO_HTTP_HOST", "127.0.0.1",
          DownloadsConfig.PORT, "0", DownloadsConfig.WORKSPACE, dir.resolve("workspace").toAbsolutePath().toString(),
          DownloadsConfig.CONCURRENCY, "1", HubConfig.BROKER, "memory", HubConfig.INSTANCES, "1", "STUDIO_HUB_PORT", "0",
          // The source is a local server: open loopback to the egress policy, which refuses it by default.
          EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8"));
      CommonConfig common = CommonConfig.from(settings, false);
      await(Database.migrate(vertx, common.database()));
      // A hub on the in-memory broker receives the progress events, as in a real deployment.
      await(vertx.deployVerticle(new HubVerticle(new ServiceContext(common, null), HubConfig.from(settings))));
      await(vertx.deployVerticle(new OutboxVerticle(new ServiceContext(common, null))));
      await(vertx.deployVerticle(new DownloadJobsVerticle(new ServiceContext(common, null), DownloadsConfig.from(settings))));
      DownloadJobStore store = new DownloadJobStore(Database.pool(vertx, common.database()));
      List<Double> curl = new ArrayList<>();
      List<Double> studio = new ArrayList<>();
      long bytes = Files.size(source);
      for (int run = 0; run < runs; run++) {
        curl.add(bytes / curlSeconds(url) / (1 << 20));
        studio.add(bytes / jobSeconds(vertx, store, url, bytes, sha256, run) / (1 << 20));
      }
      report(bytes, curl, studio);
      // Before PostgreSQL stops, so the service does not log its disappearance.
      await(vertx.close());
      return 0;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private double curlSeconds(String url) throws Exception {
    Path out = dir.resolve("curl.bin");
    long start = System.nanoTime();
    Process curl = new ProcessBuilder("curl", "-sS", "--fail", "-o", out.toString(), url).inheritIO().start();
    if (curl.waitFor() != 0) {
      throw new IllegalStateException("curl failed with exit code " + curl.exitValue());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Files.delete(out);
    return seconds;
  }

  private double jobSeconds(Vertx vertx, DownloadJobStore store, String url, long size, String sha256, int run)
      throws Exception {
    String path = "bench/run-" + run + ".bin";
    JsonObject body = new JsonObject().put("files", new JsonArray().add(new JsonObject()
        .put("url", url).put("path", path).put("size", size).put("sha256", sha256)));
    long start = System.nanoTime();
    long id = await(store.create(DownloadRequest.fromJson(body))).getLong("id");
    DownloadSignals.wake(vertx, id);
    String status;
    while (!(status = await(store.find(id)).getString("status")).equals("succeeded")) {
      if (status.equals("failed") || status.equals("cancelled")) {
        throw new IllegalStateException("download job " + id + " " + status + ": " + await(store.find(id)).getString("error"));
      }
      Thread.sleep(100);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Files.delete(dir.resolve("workspace").resolve(path));
    return seconds;
  }

  private void report(long bytes, List<Double> curl, List<Double> studio) {
    double curlMedian = median(curl);
    double studioMedian = median(studio);
    System.out.printf(Locale.ROOT, "file: %d MiB over loopback (Vert.x sendFile), %d runs each, alternating%n",
        bytes >> 20, runs);
    System.out.printf(Locale.ROOT, "curl -o:       %s MiB/s (median %.0f)%n", list(curl), curlMedian);
    System.out.printf(Locale.ROOT, "download job:  %s MiB/s (median %.0f; submit to succeeded, sha256 verified)%n",
        list(studio), studioMedian);
    System.out.printf(Locale.ROOT, "ratio download job / curl: %.2f%n", studioMedian / curlMedian);
  }

  private static String list(List<Double> values) {
    return String.join(", ", values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  /** Writes {@code size} bytes that do not compress (so neither side gains from it) and returns their SHA-256. */
  private static String generate(Path file, long size) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
    byte[] block = new byte[1 << 20];
    Random random = new Random(42);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        random.nextBytes(block);
        int length = (int) Math.min(block.length, size - written);
        out.write(block, 0, length);
        digest.update(block, 0, length);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}

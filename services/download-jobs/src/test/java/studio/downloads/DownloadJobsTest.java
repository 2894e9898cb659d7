package studio.downloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static studio.downloads.support.DownloadService.join;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import studio.downloads.support.DownloadService;
import studio.downloads.support.FileServer;
import studio.downloads.support.FileServer.Served;

/** The download service end to end against a local HTTP server and real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class DownloadJobsTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private FileServer server;
  private DownloadService service;
  @TempDir
  Path temp;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    server = join(new FileServer(vertx).start());
    service = new DownloadService(vertx, temp.resolve("workspace"), server.endpoint());
  }

  @AfterEach
  void tearDown() throws Exception {
    join(server.stop());
  }

  private static JsonObject files(String url, String path, Buffer expected) {
    JsonObject file = new JsonObject().put("url", url).put("path", path);
    if (expected != null) {
      file.put("size", expected.length()).put("sha256", FileServer.sha256(expected));
    }
    return new JsonObject().put("files", new JsonArray().add(file));
  }

  private JsonObject awaitEnd(long id, String status) {
    await().atMost(PATIENCE).until(() -> List.of("succeeded", "failed", "cancelled").contains(service.status(id)));
    JsonObject job = uncheckedJob(id);
    assertThat(job.getString("status")).as("job %s ended with error %s", id, job.getString("error")).isEqualTo(status);
    return job;
  }

  private JsonObject uncheckedJob(long id) {
    try {
      return service.job(id);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long fileBytesDone(long id) throws Exception {
    return service.job(id).getJsonArray("files").getJsonObject(0).getLong("bytes_done");
  }

  private Path partials(long id) {
    return service.workspace().resolve(".studio-downloads").resolve(Long.toString(id));
  }

  @Test
  @DisplayName("a multi-file HuggingFace-style repo: files matching the patterns land verified, progress events in order with monotonic bytes")
  void huggingFaceRepo() throws Exception {
    Map<String, Buffer> repo = new LinkedHashMap<>();
    repo.put("config.json", Buffer.buffer("{\"hidden_size\": 8}"));
    repo.put("model.bin", FileServer.random(3 << 20, 1));
    repo.put("tokenizer/vocab.json", FileServer.random(200_000, 2));
    repo.put("README.md", Buffer.buffer("# not wanted"));
    server.repo("org/tiny", "main", repo);
    server.throttle(128 * 1024, 20);
    service.deploy();

    long id = service.submit(new JsonObject().put("huggingface", new JsonObject().put("repo_id", "org/tiny")
        .put("patterns", new JsonArray().add("*.json").add("*.bin"))));

    JsonObject job = awaitEnd(id, "succeeded");
    Path target = service.workspace().resolve("huggingface/org/tiny");
    for (String name : List.of("config.json", "model.bin", "tokenizer/vocab.json")) {
      assertThat(FileServer.sha256(Buffer.buffer(Files.readAllBytes(target.resolve(name)))))
          .as(name).isEqualTo(FileServer.sha256(repo.get(name)));
    }
    assertThat(target.resolve("README.md")).doesNotExist();
    assertThat(partials(id)).doesNotExist();
    long total = repo.get("config.json").length() + repo.get("model.bin").length() + repo.get("tokenizer/vocab.json").length();
    assertThat(job.getLong("bytes_done")).isEqualTo(total);
    assertThat(job.getJsonArray("files")).hasSize(3);

    List<JsonObject> events = service.events(id);
    assertThat(events.get(events.size() - 1).getString("event_type")).isEqualTo("download.job.completed");
    assertThat(events.get(events.size() - 1).getJsonObject("payload").getString("status")).isEqualTo("succeeded");
    List<JsonObject> updates = events.stream().filter(e -> e.getString("event_type").equals("download.job.updated")).toList();
    assertThat(updates.size()).isGreaterThanOrEqualTo(4);
    long previousBytes = -1;
    long previousVersion = 0;
    for (JsonObject event : events) {
      assertThat(event.getJsonArray("room_keys")).containsExactly("download_job:" + id);
      assertThat(event.getLong("entity_version")).isGreaterThan(previousVersion);
      previousVersion = event.getLong("entity_version");
      long bytes = event.getJsonObject("payload").getLong("bytes_done", 0L);
      assertThat(bytes).isGreaterThanOrEqualTo(previousBytes);
      previousBytes = bytes;
    }
    assertThat(updates).anySatisfy(update -> {
      JsonObject payload = update.getJsonObject("payload");
      assertThat(payload.getLong("bytes_total")).isEqualTo(total);
      assertThat(payload.getString("current_file")).isEqualTo("huggingface/org/tiny/model.bin");
      assertThat(payload.getLong("rate_bytes_per_second")).isPositive();
      assertThat(payload.containsKey("eta_seconds")).isTrue();
    });
    assertThat(job.getLong("version")).isEqualTo(previousVersion);
  }

  @Test
  @DisplayName("a restart mid-download resumes the partial file with Range and ends with the right checksum")
  void resumesAfterRestart() throws Exception {
    Buffer content = server.file("big.bin", 4 << 20);
    server.throttle(64 * 1024, 40);
    service.deploy();
    long id = service.submit(files(server.url("/files/big.bin"), "models/big.bin", content));
    await().atMost(PATIENCE).until(() -> fileBytesDone(id) >= 512 * 1024);

    service.undeploy();
    assertThat(service.status(id)).isEqualTo("running");
    service.deploy();

    awaitEnd(id, "succeeded");
    assertThat(FileServer.sha256(Buffer.buffer(Files.readAllBytes(service.workspace().resolve("models/big.bin")))))
        .isEqualTo(FileServer.sha256(content));
    List<Served> requests = server.served("/files/big.bin");
    assertThat(requests).hasSizeGreaterThanOrEqualTo(2);
    Served resumed = requests.get(requests.size() - 1);
    assertThat(resumed.status()).isEqualTo(206);
    assertThat(resumed.range()).matches("bytes=[1-9][0-9]*-");
    assertThat(service.job(id).getInteger("attempts")).isEqualTo(2);
  }

  @Test
  @DisplayName("every body byte received is counted in studio_downloads_received_bytes_total, for a bytes/s rate")
  void countsBytesReceived() throws Exception {
    Buffer content = server.file("counted.bin", 1 << 20);
    service.deploy();
    long id = service.submit(files(server.url("/files/counted.bin"), "counted.bin", content));

    awaitEnd(id, "succeeded");
    assertThat(service.metrics().get("studio_downloads_received_bytes").counter().count()).isEqualTo(content.length());
  }

  @Test
  @DisplayName("a server that ignores Range (answers 200) gets the file downloaded again from zero, checksum right")
  void restartsFromZeroWithoutRange() throws Exception {
    Buffer content = server.file("norange.bin", 3 << 20);
    server.rangeSupported(false);
    server.throttle(64 * 1024, 40);
    service.deploy();
    long id = service.submit(files(server.url("/files/norange.bin"), "norange.bin", content));
    await().atMost(PATIENCE).until(() -> fileBytesDone(id) >= 256 * 1024);

    service.undeploy();
    service.deploy();

    awaitEnd(id, "succeeded");
    assertThat(FileServer.sha256(Buffer.buffer(Files.readAllBytes(service.workspace().resolve("norange.bin")))))
        .isEqualTo(FileServer.sha256(content));
    Served second = server.served("/files/norange.bin").get(1);
    assertThat(second.range()).isNotNull();
    assertThat(second.status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a dropped connection and 503s are retried with backoff; the drop resumes with Range")
  void retriesTransientFailures() throws Exception {
    Buffer content = server.file("flaky.bin", 2 << 20);
    server.failNext("/files/flaky.bin", 2);
    server.dropOnceAfter("/files/flaky.bin", 700_000);
    service.deploy();
    long id = service.submit(files(server.url("/files/flaky.bin"), "flaky.bin", content));

    awaitEnd(id, "succeeded");
    List<Integer> statuses = server.served("/files/flaky.bin").stream().map(Served::status).toList();
    assertThat(statuses).containsExactly(503, 503, 200, 206);
    assertThat(server.served("/files/flaky.bin").get(3).range()).matches("bytes=[1-9][0-9]*-");
    assertThat(FileServer.sha256(Buffer.buffer(Files.readAllBytes(service.workspace().resolve("flaky.bin")))))
        .isEqualTo(FileServer.sha256(content));
  }

  @Test
  @DisplayName("a checksum mismatch fails the job with a reason naming both digests, leaving no file behind")
  void checksumMismatch() throws Exception {
    Buffer content = server.file("tampered.bin", 100_000);
    JsonObject body = files(server.url("/files/tampered.bin"), "tampered.bin", content);
    body.getJsonArray("files").getJsonObject(0).put("sha256", "0".repeat(64));
    service.deploy();
    long id = service.submit(body);

    JsonObject job = awaitEnd(id, "failed");
    assertThat(job.getString("error")).contains("sha256 mismatch for tampered.bin").contains("0".repeat(64))
        .contains(FileServer.sha256(content));
    assertThat(service.workspace().resolve("tampered.bin")).doesNotExist();
    assertThat(partials(id)).doesNotExist();
    JsonObject completed = service.events(id).get(service.events(id).size() - 1);
    assertThat(completed.getString("event_type")).isEqualTo("download.job.completed");
    assertThat(completed.getJsonObject("payload").getString("error")).contains("sha256 mismatch");
  }

  @Test
  @DisplayName("a full disk fails the job with the write error as its reason; the service keeps running jobs")
  void diskFull() throws Exception {
    Buffer content = server.file("big.bin", 3_000_000);
    long id = service.submit(files(server.url("/files/big.bin"), "big.bin", content));
    // The job's partial file is /dev/full, where every write fails with ENOSPC, as on a full disk.
    Files.createDirectories(partials(id));
    Files.createSymbolicLink(partials(id).resolve("0.part"), Path.of("/dev/full"));
    service.deploy();

    JsonObject job = awaitEnd(id, "failed");
    assertThat(job.getString("error")).contains("could not write big.bin").containsIgnoringCase("space");
    assertThat(service.workspace().resolve("big.bin")).doesNotExist();

    Buffer next = server.file("after.bin", 50_000);
    long after = service.submit(files(server.url("/files/after.bin"), "after.bin", next));
    awaitEnd(after, "succeeded");
    assertThat(service.workspace().resolve("after.bin")).hasSize(50_000);
  }

  @Test
  @DisplayName("a 404 fails the job with the status and URL as its reason")
  void notFound() throws Exception {
    service.deploy();
    long id = service.submit(files(server.url("/files/missing.bin"), "missing.bin", null));
    assertThat(awaitEnd(id, "failed").getString("error")).contains("HTTP 404").contains("/files/missing.bin");
  }

  @Test
  @DisplayName("redirects are followed up to the limit; one more fails the job as too many redirects")
  void redirects() throws Exception {
    Buffer content = server.file("moved.bin", 10_000);
    service.deploy();
    long followed = service.submit(files(server.url("/redirect/3/moved.bin"), "moved.bin", content));
    long looping = service.submit(files(server.url("/loop"), "loop.bin", null));

    awaitEnd(followed, "succeeded");
    assertThat(awaitEnd(looping, "failed").getString("error")).contains("too many redirects (more than 3)");
  }

  @Test
  @DisplayName("cancel mid-download stops the job as cancelled and removes its partial file")
  void cancelMidDownload() throws Exception {
    Buffer content = server.file("slow.bin", 4 << 20);
    server.throttle(32 * 1024, 50);
    service.deploy();
    long id = service.submit(files(server.url("/files/slow.bin"), "slow.bin", content));
    await().atMost(PATIENCE).until(() -> fileBytesDone(id) > 0);

    service.cancel(id, null);

    awaitEnd(id, "cancelled");
    assertThat(partials(id)).doesNotExist();
    assertThat(service.workspace().resolve("slow.bin")).doesNotExist();
    JsonObject completed = service.events(id).get(service.events(id).size() - 1);
    assertThat(completed.getJsonObject("payload").getString("status")).isEqualTo("cancelled");
  }

  @Test
  @DisplayName("cancel with keep_partial leaves the partial bytes on disk")
  void cancelKeepsPartial() throws Exception {
    Buffer content = server.file("kept.bin", 4 << 20);
    server.throttle(32 * 1024, 50);
    service.deploy();
    long id = service.submit(files(server.url("/files/kept.bin"), "kept.bin", content));
    await().atMost(PATIENCE).until(() -> fileBytesDone(id) > 0);

    service.cancel(id, true);

    awaitEnd(id, "cancelled");
    assertThat(partials(id).resolve("0.part")).exists();
    assertThat(Files.size(partials(id).resolve("0.part"))).isPositive();
  }

  @Test
  @DisplayName("a target that goes through a symbolic link out of the workspace is refused; nothing is written there")
  void symlinkRefused() throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.createDirectories(service.workspace());
    Files.createSymbolicLink(service.workspace().resolve("escape"), outside);
    server.file("evil.bin", 1000);
    service.deploy();
    long id = service.submit(files(server.url("/files/evil.bin"), "escape/evil.bin", null));

    assertThat(awaitEnd(id, "failed").getString("error")).contains("symbolic link");
    assertThat(outside.resolve("evil.bin")).doesNotExist();
  }

  @Test
  @DisplayName("hosts outside STUDIO_DOWNLOADS_ALLOWED_HOSTS are refused, and so is a job over the size cap")
  void allowlistAndSizeCap() throws Exception {
    server.file("small.bin", 1000);
    service.with(DownloadsConfig.ALLOWED_HOSTS, "example.org").deploy();
    long refusedHost = service.submit(files(server.url("/files/small.bin"), "small.bin", null));
    assertThat(awaitEnd(refusedHost, "failed").getString("error")).contains("127.0.0.1 is not in " + DownloadsConfig.ALLOWED_HOSTS);
    service.undeploy();

    service.with(DownloadsConfig.ALLOWED_HOSTS, "").with(DownloadsConfig.MAX_JOB_BYTES, "500").deploy();
    long tooBig = service.submit(files(server.url("/files/small.bin"), "small.bin", null));
    assertThat(awaitEnd(tooBig, "failed").getString("error")).contains("size cap");
  }
}

package studio.launcher.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that the compose topology works as processes: {@code scripts/cluster-local} (2 web, 2 hub,
 * 2 task runners, 1 download-jobs, embedded PostgreSQL and Redis, nginx with TLS), flowcharts run
 * through nginx, one realtime client on each hub replica. Then a hub replica and a runner die
 * abruptly mid-run, and neither an event nor a task is lost.
 */
@Tag("system")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLocalTest {
  /** Far from cluster-local's default (18000) so a developer's running cluster does not clash. */
  private static final int BASE_PORT = Integer.getInteger("studio.clusterLocal.basePort", 28000);
  private static final Set<String> ENDED = Set.of("succeeded", "failed", "cancelled");
  @TempDir
  static Path directory;
  private static ClusterLocal cluster;
  private static Vertx vertx;
  private static WebClient api;
  private static WebSocketClient sockets;

  @BeforeAll
  static void start() throws Exception {
    // A short lease so the dead runner's tasks are reclaimed within seconds (default 30 s); two
    // tasks per runner so that with four parallel nodes each runner holds some when one dies.
    // scripts/test-cluster keeps the state (logs) under launcher/target for a look after a failure.
    String kept = System.getProperty("studio.clusterLocal.dir");
    Path state = kept == null || kept.isBlank() ? directory.resolve("cluster") : Path.of(kept);
    cluster = ClusterLocal.start(state, BASE_PORT, Map.of(
        "STUDIO_TASKS_LEASE", "5s",
        "STUDIO_TASKS_POLL_INTERVAL", "1s",
        "STUDIO_TASKS_RETRY_BACKOFF", "500ms",
        "STUDIO_TASKS_CONCURRENCY", "2"));
    vertx = Vertx.vertx();
    api = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setDefaultHost("localhost").setDefaultPort(cluster.httpsPort()));
    sockets = vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  @Order(1)
  @DisplayName("a flowchart run through nginx: a client on each hub replica gets every event in order, the last one the run's final state")
  void everyEventOnEachReplica() throws Exception {
    long flowchart = createFlowchart("diamond", List.of(
            node("fetch", 300), node("left", 600), node("middle", 400), node("right", 500), node("merge", 200)),
        List.of(edge("fetch", "left"), edge("fetch", "middle"), edge("fetch", "right"),
            edge("left", "merge"), edge("middle", "merge"), edge("right", "merge")));
    String room = "flowchart:" + flowchart;
    String token = token(room);
    RoomFollower onHub1 = new RoomFollower(sockets, room, token, origin());
    RoomFollower onHub2 = new RoomFollower(sockets, room, token, origin());
    long from1 = onHub1.follow(cluster.hubPort(1)).getLong("offset");
    long from2 = onHub2.follow(cluster.hubPort(2)).getLong("offset");

    long runId = startRun(flowchart);
    JsonObject run = awaitRunEnded(runId, Duration.ofSeconds(90));
    assertThat(run.getString("status")).as(run.encodePrettily()).isEqualTo("succeeded");
    assertThat(run.getJsonArray("nodes")).hasSize(5)
        .allSatisfy(node -> assertThat(((JsonObject) node).getString("status")).isEqualTo("succeeded"));

    long version = run.getLong("version");
    await().atMost(Duration.ofSeconds(60)).until(() -> onHub1.hasVersion(version) && onHub2.hasVersion(version));
    assertEveryEventInOrder(onHub1.events(), from1, version);
    assertEveryEventInOrder(onHub2.events(), from2, version);
    assertThat(eventIds(onHub2.events())).as("same sequence on both replicas").isEqualTo(eventIds(onHub1.events()));
    JsonObject last = onHub1.lastEvent().getJsonObject("event");
    assertThat(last.getJsonObject("payload").getString("status")).isEqualTo(run.getString("status"));
    assertThat(last.getLong("entity_version")).isEqualTo(version);
    assertEachNodeSucceededOnce(onHub1.events(), run);
    onHub1.close();
    onHub2.close();
  }

  @Test
  @Order(2)
  @DisplayName("a hub replica and a task runner die mid-run: every event arrives once and in order, every node succeeds once")
  void survivesHubAndRunnerDeath() throws Exception {
    List<String> workers = List.of("w1", "w2", "w3", "w4");
    List<JsonObject> nodes = new ArrayList<>(List.of(node("start", 500), node("finish", 500)));
    List<JsonObject> edges = new ArrayList<>();
    workers.forEach(worker -> {
      nodes.add(node(worker, 8000));
      edges.add(edge("start", worker));
      edges.add(edge(worker, "finish"));
    });
    long flowchart = createFlowchart("failover", nodes, edges);
    String room = "flowchart:" + flowchart;
    String token = token(room);
    RoomFollower onHub1 = new RoomFollower(sockets, room, token, origin());
    RoomFollower movesToHub1 = new RoomFollower(sockets, room, token, origin());
    long from1 = onHub1.follow(cluster.hubPort(1)).getLong("offset");
    long from2 = movesToHub1.follow(cluster.hubPort(2)).getLong("offset");

    long runId = startRun(flowchart);
    // Both runners hold two of the four parallel sleeps (concurrency 2 each).
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> nodeStatuses(run(runId)).stream().filter("running"::equals).count() == workers.size());
    int seenBeforeCrash = movesToHub1.events().size();
    cluster.crash("tasks-1");
    cluster.crash("hub-2");

    movesToHub1.awaitDisconnected();
    JsonObject resumed = movesToHub1.follow(cluster.hubPort(1));
    assertThat(resumed.getBoolean("recovered")).as("resume on hub-1: %s", resumed).isTrue();

    JsonObject run = awaitRunEnded(runId, Duration.ofSeconds(150));
    assertThat(run.getString("status")).as(run.encodePrettily()).isEqualTo("succeeded");
    assertThat(run.getJsonArray("nodes")).hasSize(6)
        .allSatisfy(node -> assertThat(((JsonObject) node).getString("status")).isEqualTo("succeeded"));
    assertThat(run.getJsonArray("nodes").stream().map(JsonObject.class::cast).filter(node -> node.getInteger("attempts") > 1))
        .as("the nodes the dead runner held ran again elsewhere: %s", run.getJsonArray("nodes")).isNotEmpty();

    long version = run.getLong("version");
    await().atMost(Duration.ofSeconds(60)).until(() -> onHub1.hasVersion(version) && movesToHub1.hasVersion(version));
    assertEveryEventInOrder(onHub1.events(), from1, version);
    assertEveryEventInOrder(movesToHub1.events(), from2, version);
    assertThat(movesToHub1.events().size()).as("events after the crash arrived").isGreaterThan(seenBeforeCrash);
    assertThat(eventIds(movesToHub1.events())).as("same sequence on both clients").isEqualTo(eventIds(onHub1.events()));
    assertEachNodeSucceededOnce(onHub1.events(), run);
    onHub1.close();
    movesToHub1.close();
  }

  /**
   * Contiguous offsets right after the subscription point, each event once, and this run's versions
   * from its first event to its last without a gap: nothing lost, nothing repeated, nothing reordered.
   */
  private static void assertEveryEventInOrder(List<JsonObject> frames, long subscribedAt, long version) {
    assertThat(frames).extracting(frame -> frame.getLong("offset")).as("offsets")
        .containsExactlyElementsOf(LongStream.rangeClosed(subscribedAt + 1, subscribedAt + frames.size()).boxed().toList());
    // A run row is inserted at version 1; its first event takes the next one.
    assertThat(frames).extracting(frame -> frame.getJsonObject("event").getLong("entity_version")).as("run versions")
        .containsExactlyElementsOf(LongStream.rangeClosed(2, version).boxed().toList());
    assertThat(frames).noneMatch(frame -> frame.containsKey("conflated"));
  }

  /** Exactly one "succeeded" node event per node: a node that ran twice still succeeded once. */
  private static void assertEachNodeSucceededOnce(List<JsonObject> frames, JsonObject run) {
    Map<String, Long> succeeded = frames.stream().map(frame -> frame.getJsonObject("event"))
        .filter(event -> "flowchart.node.updated".equals(event.getString("event_type")))
        .map(event -> event.getJsonObject("payload"))
        .filter(payload -> "succeeded".equals(payload.getString("status")))
        .collect(Collectors.groupingBy(payload -> payload.getString("node_key"), Collectors.counting()));
    Map<String, Long> once = run.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(node -> node.getString("key"), node -> 1L));
    assertThat(succeeded).isEqualTo(once);
  }

  private static List<String> eventIds(List<JsonObject> frames) {
    return frames.stream().map(frame -> frame.getLong("offset") + ":" + frame.getJsonObject("event").getString("event_id"))
        .toList();
  }

  private static List<String> nodeStatuses(JsonObject run) {
    return run.getJsonArray("nodes").stream().map(node -> ((JsonObject) node).getString("status")).toList();
  }

  private static JsonObject node(String key, int sleepMillis) {
    return new JsonObject().put("key", key).put("task", new JsonObject().put("executor", "sleep")
        .put("max_attempts", 5).put("params", new JsonObject().put("duration_ms", sleepMillis)));
  }

  private static JsonObject edge(String from, String to) {
    return new JsonObject().put("from", from).put("to", to);
  }

  private static long createFlowchart(String name, List<JsonObject> nodes, List<JsonObject> edges) throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("nodes", new JsonArray(nodes)).put("edges", new JsonArray(edges));
    HttpResponse<Buffer> created = result(api.post("/api/v1/flowcharts").sendJsonObject(body));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  private static long startRun(long flowchart) throws Exception {
    HttpResponse<Buffer> started = result(api.post("/api/v1/flowcharts/" + flowchart + "/runs")
        .sendJsonObject(new JsonObject().put("failure_mode", "fail_fast")));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    return started.bodyAsJsonObject().getLong("id");
  }

  private static String token(String room) throws Exception {
    HttpResponse<Buffer> token = result(api.get("/api/v1/realtime/token").addQueryParam("rooms", room).send());
    assertThat(token.statusCode()).as(token.bodyAsString()).isEqualTo(200);
    return token.bodyAsJsonObject().getString("token");
  }

  private static JsonObject run(long runId) throws Exception {
    HttpResponse<Buffer> run = result(api.get("/api/v1/flowchart-runs/" + runId).send());
    if (run.statusCode() != 200) {
      throw new IllegalStateException("GET run " + runId + ": " + run.statusCode() + " " + run.bodyAsString());
    }
    return run.bodyAsJsonObject();
  }

  /** Polls the run through nginx; answers that fail while a replica is dying are retried. */
  private static JsonObject awaitRunEnded(long runId, Duration atMost) {
    JsonObject[] last = new JsonObject[1];
    await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
      last[0] = run(runId);
      return ENDED.contains(last[0].getString("status"));
    });
    return last[0];
  }

  /** The page origin the cluster allows (cluster-local sets STUDIO_CORS_ALLOWED_ORIGINS to nginx's). */
  private static String origin() {
    return "https://localhost:" + cluster.httpsPort();
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

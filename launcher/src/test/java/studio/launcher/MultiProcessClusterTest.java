package studio.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.runtime.auth.RealtimeTokens;
import studio.runtime.database.Database;
import studio.runtime.database.DatabaseConfig;
import studio.testsupport.HttpClients;
import studio.testsupport.TestInfrastructure;

/**
 * Two launcher processes on loopback, clustered over Hazelcast TCP/IP: one runs the hub, the other
 * web. An event written to web's outbox crosses the clustered event bus to the hub in the other
 * process and reaches a WebSocket client.
 */
class MultiProcessClusterTest {
  private static final String JWT = "cluster-test-jwt-secret-0123456789";
  private static final List<Process> processes = new ArrayList<>();
  @TempDir
  static Path workDir;
  private static Vertx vertx;
  /** A field: Vert.x 5 closes a client that is garbage collected. */
  private static WebSocketClient sockets;
  private static int hubPort;
  private static int webPort;

  @BeforeAll
  static void startProcesses() throws Exception {
    vertx = Vertx.vertx();
    int memberA = freePort();
    int memberB = freePort();
    hubPort = freePort();
    webPort = freePort();
    Map<String, String> shared = new HashMap<>(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl(), "REDIS_URL", TestInfrastructure.redisUrl(),
        "JWT_SECRET_KEY", JWT, "WORKER_SHARED_SECRET", "cluster-test-worker-secret-0123456789",
        "STUDIO_CLUSTER_NAME", "mp-" + System.nanoTime(),
        "STUDIO_CLUSTER_MEMBERS", "127.0.0.1:" + memberA + ",127.0.0.1:" + memberB,
        "STUDIO_HTTP_HOST", "127.0.0.1", "STUDIO_OUTBOX_POLL_INTERVAL", "100ms", "STUDIO_HUB_INSTANCES", "1"));
    processes.add(launch("hub", shared, Map.of("STUDIO_CLUSTER_PORT", String.valueOf(memberA),
        "STUDIO_HUB_PORT", String.valueOf(hubPort))));
    processes.add(launch("web", shared, Map.of("STUDIO_CLUSTER_PORT", String.valueOf(memberB),
        "STUDIO_HTTP_PORT", String.valueOf(webPort))));
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> clusterMembers() == 2 && hubReady());
  }

  @AfterAll
  static void stopProcesses() throws Exception {
    processes.forEach(Process::destroy);
    for (Process process : processes) {
      process.waitFor(30, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Process launch(String services, Map<String, String> shared, Map<String, String> own)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), services, "--cluster")
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(new File(workDir.toFile(), services + ".log"));
    builder.environment().putAll(shared);
    builder.environment().putAll(own);
    return builder.start();
  }

  private static int clusterMembers() throws Exception {
    JsonObject health = HttpClients.of(vertx).get(webPort, "127.0.0.1", "/api/v1/infrastructure/health").send()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsJsonObject();
    return health.getJsonObject("checks").getJsonObject("cluster").getInteger("members", 0);
  }

  private static boolean hubReady() throws Exception {
    return HttpClients.of(vertx).get(hubPort, "127.0.0.1", "/health/ready").send()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).statusCode() == 200;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  @DisplayName("an outbox row committed next to web reaches a WebSocket client of the hub in the other process")
  void outboxEventCrossesProcesses() throws Exception {
    String room = "task:mp" + System.nanoTime();
    String token = RealtimeTokens.create(vertx, JWT).mint("tester", List.of(room), Duration.ofMinutes(1));
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    sockets = vertx.createWebSocketClient();
    WebSocket ws = sockets.connect(hubPort, "127.0.0.1", "/rt/ws?token=" + token).toCompletionStage()
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("id", "1").put("rooms", new JsonArray().add(room))
        .encode());
    await().atMost(Duration.ofSeconds(10)).until(() -> frames.stream().anyMatch(f -> "ack".equals(f.getString("op"))));

    Pool pool = Database.pool(vertx, new DatabaseConfig(TestInfrastructure.databaseUrl(), null, 1, Duration.ofSeconds(5), 3));
    JsonObject draft = new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task")
        .put("entity_id", room.substring(5)).put("room_keys", new JsonArray().add(room))
        .put("payload", new JsonObject().put("status", "running")).put("entity_version", 1);
    pool.preparedQuery("INSERT INTO outbox (draft) VALUES ($1)").execute(Tuple.of(draft))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(30)).until(() -> frames.stream().anyMatch(f -> "event".equals(f.getString("op"))));
    JsonObject event = frames.stream().filter(f -> "event".equals(f.getString("op"))).findFirst().orElseThrow();
    assertThat(event.getJsonObject("event").getLong("entity_version")).isEqualTo(1);
    assertThat(event.getJsonObject("event").getJsonObject("payload").getString("status")).isEqualTo("running");
    pool.close();
  }
}

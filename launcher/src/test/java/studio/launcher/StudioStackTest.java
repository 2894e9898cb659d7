package studio.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import studio.contract.bus.RealtimePublisher;
import studio.contract.envelope.DraftEvent;
import studio.runtime.auth.RealtimeTokens;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.testsupport.HttpClients;
import studio.testsupport.RealtimeClient;

/** The single-node default: {@code all} on embedded PostgreSQL and Redis, nothing configured but ports. */
@ExtendWith(VertxExtension.class)
class StudioStackTest {
  @TempDir
  static Path dataDir;
  private static StudioStack stack;
  /** A field, not a local: Vert.x 5 closes a client once it is garbage collected, even mid-connection. */
  private static WebSocketClient sockets;

  static StudioConfig embeddedDefaults() {
    return StudioConfig.from(Settings.of(Map.of(
        "STUDIO_DATA_DIR", dataDir.toString(),
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_HTTP_PORT", "0", "STUDIO_HUB_PORT", "0", "STUDIO_TASKS_PORT", "0", "STUDIO_DOWNLOADS_PORT", "0",
        "STUDIO_MANAGEMENT_PORT", "0")), false);
  }

  @BeforeAll
  static void start() throws Exception {
    stack = StudioStack.start(embeddedDefaults(), EnumSet.allOf(ServiceName.class));
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static int port(ServiceName service) {
    return stack.ports().get(service);
  }

  @Test
  @DisplayName("all mode deploys the four services, each on its own port")
  void deploysAllServices() {
    assertThat(stack.ports()).containsOnlyKeys(ServiceName.values());
    assertThat(stack.ports().values()).allMatch(port -> port > 0).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("on Linux x86_64 and aarch64 the stack runs on Netty's epoll transport by default (STUDIO_NATIVE_TRANSPORT)")
  void nativeTransportByDefault() {
    Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux")
        && List.of("amd64", "aarch64").contains(System.getProperty("os.arch")),
        "the launcher ships Netty's epoll library for Linux x86_64 and aarch64 only");
    assertThat(stack.vertx().isNativeTransportEnabled()).as(String.valueOf(stack.vertx().unavailableNativeTransportCause()))
        .isTrue();
    assertThat(StudioStack.vertxOptions(stack.config()).getPreferNativeTransport()).isTrue();
  }

  @Test
  @DisplayName("STUDIO_NATIVE_TRANSPORT=false keeps Java NIO")
  void nativeTransportOff() {
    StudioConfig off = StudioConfig.from(Settings.of(Map.of("STUDIO_NATIVE_TRANSPORT", "false")), false);
    assertThat(StudioStack.vertxOptions(off.common()).getPreferNativeTransport()).isFalse();
  }

  @Test
  @DisplayName("the web gateway's full health report shows embedded PostgreSQL, Redis and the workers up")
  void fullHealthIsUp(Vertx vertx, VertxTestContext test) {
    HttpClients.of(vertx).get(port(ServiceName.WEB), "127.0.0.1", "/api/v1/infrastructure/health/full").send()
        .onComplete(test.succeeding(response -> test.verify(() -> {
          JsonObject report = response.bodyAsJsonObject();
          assertThat(response.statusCode()).as(report.encodePrettily()).isEqualTo(200);
          JsonObject checks = report.getJsonObject("checks");
          assertThat(checks.getJsonObject("postgres").getString("status")).isEqualTo("UP");
          assertThat(checks.getJsonObject("redis").getString("status")).isEqualTo("UP");
          assertThat(checks.getJsonObject("cluster").getString("mode")).isEqualTo("standalone");
          assertThat(checks.getJsonObject("workers").getJsonArray("instances").stream()
              .map(instance -> ((JsonObject) instance).getString("service")))
              .contains("task-runner", "download-jobs");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("each service answers liveness and readiness on its own port")
  void everyServiceIsReady(Vertx vertx, VertxTestContext test) {
    WebClient client = HttpClients.of(vertx);
    var checkpoint = test.checkpoint(ServiceName.values().length * 2);
    for (ServiceName service : ServiceName.values()) {
      for (String path : new String[] {"/health", "/health/ready"}) {
        client.get(port(service), "127.0.0.1", path).send().onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(service + path + " " + response.bodyAsString()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("UP");
          checkpoint.flag();
        })));
      }
    }
  }

  @Test
  @DisplayName("the management port serves one scrape of the whole process: web's and the hub's metrics together")
  void managementPort(Vertx vertx) throws Exception {
    assertThat(stack.managementPort()).isPresent();
    int management = stack.managementPort().getAsInt();
    assertThat(stack.ports().values()).doesNotContain(management);
    await(HttpClients.of(vertx).get(port(ServiceName.WEB), "127.0.0.1", "/health").send());
    var scrape = await(HttpClients.of(vertx).get(management, "127.0.0.1", "/metrics").send());
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.bodyAsString()).contains("studio_rt_connections").contains("http_server_requests");
  }

  @Test
  @DisplayName("after a task, a publish and an unanswered bus request, every series a panel of the Grafana dashboard or a Prometheus alert rule "
      + "(deploy/monitoring) names is in the scrape of every service port and of the management port")
  void monitoringReadsOnlySeriesThatExist(Vertx vertx) throws Exception {
    WebClient http = HttpClients.of(vertx);
    int web = port(ServiceName.WEB);
    long task = await(http.post(web, "127.0.0.1", "/api/v1/tasks").sendJsonObject(new JsonObject().put("executor", "noop")))
        .bodyAsJsonObject().getLong("id");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(
        await(http.get(web, "127.0.0.1", "/api/v1/nodes/" + task + "/status").send()).bodyAsJsonObject().getString("status")));
    String room = "task:monitoring-" + System.nanoTime();
    await(new RealtimePublisher(stack.vertx()).publish(DraftEvent.fromJson(
        new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task").put("entity_id", room.substring(5))
            .put("room_keys", new JsonArray().add(room)).put("payload", new JsonObject()))));
    // Reply-failure series appear with the first failure: a request nobody answers.
    var unanswered = stack.vertx().eventBus().request("studio.monitoring.nobody", "ping").toCompletionStage()
        .toCompletableFuture();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(unanswered::isDone);
    System.gc(); // GC pause series appear with the first collection; a long-running process has had many.

    Set<String> scraped = new TreeSet<>();
    List<Integer> ports = new ArrayList<>(stack.ports().values());
    ports.add(stack.managementPort().getAsInt());
    for (int metricsPort : ports) {
      var scrape = await(http.get(metricsPort, "127.0.0.1", "/metrics")
          .bearerTokenAuthentication(stack.config().secrets().workerSharedSecret()).send());
      assertThat(scrape.statusCode()).as("/metrics on port " + metricsPort).isEqualTo(200);
      scraped.addAll(MonitoredSeries.scraped(scrape.bodyAsString()));
    }

    Map<String, String> expressions = MonitoredSeries.expressions();
    assertThat(expressions).as("panels and rules read").hasSizeGreaterThan(20);
    Map<String, Set<String>> missing = new TreeMap<>();
    expressions.forEach((where, expr) -> MonitoredSeries.metricNames(expr).stream()
        .filter(name -> !scraped.contains(name))
        .forEach(name -> missing.computeIfAbsent(name, any -> new TreeSet<>()).add(where)));
    assertThat(missing).as("series named by deploy/monitoring but absent from the scrape").isEmpty();
  }

  @Test
  @DisplayName("the detailed redis endpoint reports only Redis")
  void redisEndpoint(Vertx vertx, VertxTestContext test) {
    HttpClients.of(vertx).get(port(ServiceName.WEB), "127.0.0.1", "/api/v1/infrastructure/health/redis").send()
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getJsonObject("checks").fieldNames()).containsExactly("redis");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("in all mode an event published on the bus reaches a WebSocket client of the hub, signed with the stack's secret")
  void realtimeEndToEnd(Vertx vertx, VertxTestContext test) {
    String room = "task:stack-" + System.nanoTime();
    String token = RealtimeTokens.create(vertx, stack.config().secrets().jwtSecretKey())
        .mint("tester", List.of(room), Duration.ofMinutes(1));
    DraftEvent draft = DraftEvent.fromJson(new JsonObject()
        .put("event_type", "node.task.updated").put("entity_kind", "task").put("entity_id", room.substring(5))
        .put("room_keys", new JsonArray().add(room)).put("payload", new JsonObject().put("ok", true)));
    sockets = vertx.createWebSocketClient();
    sockets.connect(port(ServiceName.HUB), "127.0.0.1", "/rt/ws?token=" + token)
        .onComplete(test.succeeding(ws -> {
          ws.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            if ("ack".equals(frame.getString("op"))) {
              new RealtimePublisher(stack.vertx()).publish(draft).onFailure(test::failNow);
            } else if ("event".equals(frame.getString("op"))) {
              test.verify(() -> {
                assertThat(frame.getString("room")).isEqualTo(room);
                assertThat(frame.getJsonObject("event").getJsonObject("payload").getBoolean("ok")).isTrue();
              });
              test.completeNow();
            }
          });
          ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("id", "1")
              .put("rooms", new JsonArray().add(room)).encode());
        }));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static JsonObject payload(JsonObject frame) {
    return frame.getJsonObject("event").getJsonObject("payload");
  }

  @Test
  @DisplayName("a chat turn with a 70,000-character prompt: accepted, its events arrive as bounded previews, a task started "
      + "afterwards delivers its events, and the whole prompt is readable over HTTP")
  void longChatPromptKeepsEventsFlowing(Vertx vertx) throws Exception {
    WebClient http = HttpClients.of(vertx);
    int web = port(ServiceName.WEB);
    long thread = await(http.post(web, "127.0.0.1", "/api/v1/threads").sendJsonObject(new JsonObject().put("title", "long")))
        .bodyAsJsonObject().getLong("id");
    String threadRoom = "thread:" + thread;
    String token = RealtimeTokens.create(vertx, stack.config().secrets().jwtSecretKey())
        .mint("tester", List.of(threadRoom, "task:*"), Duration.ofMinutes(5));
    RealtimeClient page = await(RealtimeClient.connect(vertx, port(ServiceName.HUB), "/rt/ws?token=" + token, null));
    page.awaitReply(page.subscribe(threadRoom));

    String prompt = "p".repeat(70_000);
    var turn = await(http.post(web, "127.0.0.1", "/api/v1/threads/" + thread + "/turns")
        .sendJsonObject(new JsonObject().put("content", prompt)));
    assertThat(turn.statusCode()).as(turn.bodyAsString()).isEqualTo(202);

    JsonObject requested = page.awaitFrame(frame -> "event".equals(frame.getString("op"))
        && "chat.turn.requested".equals(frame.getJsonObject("event").getString("event_type")));
    assertThat(payload(requested).getBoolean("prompt_truncated")).isTrue();
    assertThat(prompt).startsWith(payload(requested).getString("prompt"));
    assertThat(requested.encode().length()).isLessThan(DraftEvent.MAX_BODY_BYTES);

    long task = await(http.post(web, "127.0.0.1", "/api/v1/tasks").sendJsonObject(new JsonObject().put("executor", "noop")))
        .bodyAsJsonObject().getLong("id");
    String taskRoom = "task:" + task;
    page.subscribe(new JsonObject().put(taskRoom, new JsonObject().put("offset", 0)), taskRoom);
    page.awaitFrame(frame -> "event".equals(frame.getString("op")) && taskRoom.equals(frame.getString("room"))
        && "node.task.completed".equals(frame.getJsonObject("event").getString("event_type")));

    JsonObject responded = page.awaitFrame(frame -> "event".equals(frame.getString("op"))
        && "chat.turn.responded".equals(frame.getJsonObject("event").getString("event_type")));
    assertThat(payload(responded).getBoolean("response_truncated")).isTrue();
    JsonObject history = await(http.get(web, "127.0.0.1", "/api/v1/threads/" + thread).send()).bodyAsJsonObject();
    assertThat(history.getJsonArray("turns").getJsonObject(0).getString("prompt")).isEqualTo(prompt);
    assertThat(history.getJsonArray("turns").getJsonObject(0).getString("response")).isEqualTo("echo: " + prompt);
    page.close();
  }

  @Test
  @DisplayName("a run of three tasks created over HTTP announces autorun.updated and autorun.node_set.updated on run:<id> "
      + "through the hub, in order, queued -> running -> succeeded; a page hydrated mid-run ends on the same state")
  void runOfThreeTasks(Vertx vertx) throws Exception {
    WebClient http = HttpClients.of(vertx);
    int web = port(ServiceName.WEB);
    JsonObject sleep = new JsonObject().put("executor", "sleep").put("params", new JsonObject().put("duration_ms", 200));
    var created = await(http.post(web, "127.0.0.1", "/api/v1/runs")
        .sendJsonObject(new JsonObject().put("tasks", new JsonArray().add(sleep).add(sleep).add(sleep))));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(202);
    long run = created.bodyAsJsonObject().getLong("id");
    String room = "run:" + run;
    JsonObject hydrated = await(http.get(web, "127.0.0.1", "/api/v1/runs/" + run).send()).bodyAsJsonObject();
    String token = RealtimeTokens.create(vertx, stack.config().secrets().jwtSecretKey())
        .mint("tester", List.of(room), Duration.ofMinutes(5));
    RealtimeClient page = await(RealtimeClient.connect(vertx, port(ServiceName.HUB), "/rt/ws?token=" + token, null));
    page.subscribe(new JsonObject().put(room, new JsonObject().put("offset", 0)), room);
    page.awaitFrame(frame -> "event".equals(frame.getString("op"))
        && "autorun.updated".equals(frame.getJsonObject("event").getString("event_type"))
        && "succeeded".equals(payload(frame).getString("status")));
    // The final node set is appended right after the final status, in the same transaction.
    page.awaitFrame(frame -> "event".equals(frame.getString("op"))
        && "autorun.node_set.updated".equals(frame.getJsonObject("event").getString("event_type"))
        && new JsonObject().put("succeeded", 3).equals(payload(frame).getJsonObject("counts")));

    List<JsonObject> runEvents = page.events(room).stream()
        .filter(frame -> frame.getJsonObject("event").getString("event_type").startsWith("autorun.")).toList();
    assertThat(runEvents).extracting(frame -> frame.getJsonObject("event").getLong("entity_version")).isSorted()
        .doesNotHaveDuplicates().first().isEqualTo(1L);
    assertThat(runEvents).filteredOn(frame -> "autorun.updated".equals(frame.getJsonObject("event").getString("event_type")))
        .extracting(frame -> payload(frame).getString("status")).containsExactly("queued", "running", "succeeded");
    JsonObject lastSet = runEvents.stream()
        .filter(frame -> "autorun.node_set.updated".equals(frame.getJsonObject("event").getString("event_type")))
        .reduce((first, second) -> second).map(StudioStackTest::payload).orElseThrow();
    assertThat(lastSet.getJsonArray("nodes")).hasSize(3)
        .allSatisfy(node -> assertThat(((JsonObject) node).getString("status")).isEqualTo("succeeded"));

    // The page's rule: state from GET, then only run events newer than its version.
    long cursor = hydrated.getJsonObject("rooms").getJsonObject(room).getLong("offset");
    assertThat(runEvents).filteredOn(frame -> frame.getLong("offset") <= cursor)
        .allSatisfy(frame -> assertThat(frame.getJsonObject("event").getLong("entity_version"))
            .isLessThanOrEqualTo(hydrated.getLong("version")));
    String status = hydrated.getString("status");
    for (JsonObject frame : runEvents) {
      if (frame.getJsonObject("event").getLong("entity_version") > hydrated.getLong("version")) {
        status = payload(frame).getString("status");
      }
    }
    assertThat(status).isEqualTo("succeeded");
    page.close();
  }

  @Test
  @DisplayName("the embedded database keeps its data directory: migrating again applies nothing new")
  void schemaPersists(Vertx vertx, VertxTestContext test) {
    Database.migrate(vertx, stack.config().database()).onComplete(test.succeeding(applied -> test.verify(() -> {
      assertThat(applied).isZero();
      assertThat(dataDir.resolve("postgres").resolve("PG_VERSION")).exists();
      test.completeNow();
    })));
  }
}

package studio.launcher.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.auth.RealtimeTokens;
import studio.testsupport.HttpClients;
import studio.testsupport.RealtimeClient;

/**
 * PostgreSQL restarted under task load, against real processes: web and the hub in one
 * {@code studio.jar} process, the task runner in another, clustered over Hazelcast, on a real
 * PostgreSQL and Redis. Tasks are submitted through {@code POST /api/v1/tasks} at a steady rate
 * while PostgreSQL is stopped and started again on the same data directory and port. Afterwards
 * every task has ended, and every event committed with a state change reached its room once, in
 * order.
 */
@Tag("system")
@ExtendWith(ProcessLogsOnFailure.class)
class TaskChaosTest {
  private static final String JWT_SECRET = "chaos-jwt-" + UUID.randomUUID();
  private static final String WORKER_SECRET = "chaos-worker-" + UUID.randomUUID();
  private static final int TASKS = 80;
  private static final int PER_SECOND = 20;
  /** Tasks accepted before PostgreSQL goes down: the restart lands mid-load. */
  private static final int RESTART_AFTER = 25;
  private static final Set<String> ENDED = Set.of("succeeded", "failed", "cancelled");
  private static ChaosPostgres postgres;
  private static ChaosRedis redis;
  private static StudioProcess webAndHub;
  private static StudioProcess tasks;
  private static int webPort;
  private static int hubPort;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    Path logs = ChaosDirectory.logs(TaskChaosTest.class);
    Path data = ChaosDirectory.data(TaskChaosTest.class);
    postgres = ChaosPostgres.start(data.resolve("postgres"));
    redis = ChaosRedis.start();
    webPort = FreePort.next();
    hubPort = FreePort.next();
    int tasksPort = FreePort.next();
    int memberA = FreePort.next();
    int memberB = FreePort.next();
    Map<String, String> shared = new HashMap<>();
    shared.putAll(Map.of(
        "STUDIO_ENV", "development",
        "DATABASE_URL", postgres.url(),
        "REDIS_URL", redis.url(),
        "JWT_SECRET_KEY", JWT_SECRET,
        "WORKER_SHARED_SECRET", WORKER_SECRET,
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_CLUSTER_HOST", "127.0.0.1",
        "STUDIO_CLUSTER_NAME", "chaos-" + UUID.randomUUID(),
        "STUDIO_CLUSTER_MEMBERS", "127.0.0.1:" + memberA + ",127.0.0.1:" + memberB));
    shared.putAll(Map.of(
        "STUDIO_HTTP_PORT", Integer.toString(webPort),
        "STUDIO_HUB_PORT", Integer.toString(hubPort),
        "STUDIO_TASKS_PORT", Integer.toString(tasksPort),
        "STUDIO_HTTP_INSTANCES", "1",
        "STUDIO_HUB_INSTANCES", "1",
        "STUDIO_OUTBOX_POLL_INTERVAL", "100ms",
        // A short lease and poll, so work whose runner lost track of it is picked up within seconds.
        "STUDIO_TASKS_LEASE", "3s",
        "STUDIO_TASKS_POLL_INTERVAL", "500ms",
        "STUDIO_TASKS_RETRY_BACKOFF", "200ms"));
    shared.put("STUDIO_TASKS_CONCURRENCY", "4");
    shared.put("STUDIO_DATA_DIR", data.resolve("studio").toString());
    Map<String, String> first = new HashMap<>(shared);
    first.put("STUDIO_CLUSTER_PORT", Integer.toString(memberA));
    Map<String, String> second = new HashMap<>(shared);
    second.put("STUDIO_CLUSTER_PORT", Integer.toString(memberB));
    webAndHub = StudioProcess.start("web-hub", logs, first, webPort, "web", "hub", "--cluster");
    tasks = StudioProcess.start("tasks", logs, second, tasksPort, "tasks", "--cluster");
    webAndHub.awaitReady();
    tasks.awaitReady();
    vertx = Vertx.vertx();
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> clusterMembers() == 2);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } finally {
      for (AutoCloseable closeable : new AutoCloseable[] {tasks, webAndHub, redis, postgres}) {
        if (closeable != null) {
          closeable.close();
        }
      }
    }
  }

  @Test
  @DisplayName("PostgreSQL restarted under task load: every task ends, every committed event reaches its room once, in order")
  void postgresRestartedUnderLoad() throws Exception {
    List<Long> accepted = new CopyOnWriteArrayList<>();
    List<String> refused = new CopyOnWriteArrayList<>();
    AtomicInteger answered = new AtomicInteger();
    WebClient http = HttpClients.of(vertx);
    JsonObject spec = new JsonObject().put("executor", "sleep").put("max_attempts", 3)
        .put("params", new JsonObject().put("duration_ms", 300));
    SteadyRate.run(vertx, TASKS, PER_SECOND, i -> http.post(webPort, "127.0.0.1", "/api/v1/tasks").timeout(10_000)
        .sendJsonObject(spec).onComplete(answer -> {
          if (answer.succeeded() && answer.result().statusCode() == 202) {
            accepted.add(answer.result().bodyAsJsonObject().getLong("id"));
          } else {
            refused.add(answer.failed() ? answer.cause().toString()
                : answer.result().statusCode() + " " + answer.result().bodyAsString());
          }
          answered.incrementAndGet();
        }));
    await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= RESTART_AFTER);
    postgres.restart();
    await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() == TASKS);

    // Every task that exists (accepted, or created though its answer was lost) ends, and its events
    // have all left the outbox.
    Map<Long, JsonObject> rows = new LinkedHashMap<>();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
      rows.clear();
      rows.putAll(taskRows());
      return rows.values().stream().allMatch(row -> ENDED.contains(row.getString("status"))) && unsentOutboxRows() == 0;
    });
    assertThat(rows.keySet()).as("accepted tasks that do not exist").containsAll(accepted);

    Map<Long, Long> committed = committedEventsPerTask();
    RealtimeClient replay = RealtimeClient.open(vertx, hubPort, "/rt/ws?token=" + token());
    List<Long> ids = new ArrayList<>(rows.keySet());
    for (int from = 0; from < ids.size(); from += 100) {
      JsonObject since = new JsonObject();
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 100));
      chunk.forEach(id -> since.put(room(id), new JsonObject().put("offset", 0)));
      JsonObject ack = replay.awaitReply(replay.subscribe(since, chunk.stream().map(TaskChaosTest::room)
          .toArray(String[]::new)));
      assertThat(ack.getString("op")).as(ack.encode()).isEqualTo("ack");
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
        .allMatch(id -> replay.events(room(id)).size() >= committed.getOrDefault(id, 0L)));

    long delivered = 0;
    long duplicated = 0;
    for (long id : ids) {
      List<JsonObject> frames = replay.events(room(id));
      delivered += frames.size();
      duplicated += frames.size() - frames.stream().map(frame -> frame.getJsonObject("event").getString("event_id"))
          .distinct().count();
    }
    replay.close();
    long events = committed.values().stream().mapToLong(Long::longValue).sum();
    List<JsonObject> succeeded = rows.values().stream().filter(row -> "succeeded".equals(row.getString("status"))).toList();
    List<JsonObject> ranTwice = rows.values().stream().filter(row -> row.getInteger("attempts") > 1).toList();
    Figures.row("Tasks", "| Fault | Tasks submitted | Accepted (202) | Refused (5xx/timeout) | Tasks created "
            + "| Succeeded | Ran more than once | Events committed | Delivered | Lost | Duplicated |",
        String.format("| PostgreSQL restarted | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |", TASKS,
            accepted.size(), refused.size(), rows.size(), succeeded.size(), ranTwice.size(), events, delivered,
            events - (delivered - duplicated), duplicated));

    for (long id : ids) {
      assertEveryEventOnceInOrder(id, replay.events(room(id)), rows.get(id), committed.getOrDefault(id, 0L));
    }
    assertThat(rows.values()).as("every task succeeds: none cancelled as lease lost by a renewal race")
        .allMatch(row -> "succeeded".equals(row.getString("status")));
    assertThat(ranTwice).as("no task runs twice: an outcome that cannot be stored is stored again while the lease holds")
        .isEmpty();
  }

  /**
   * The room holds exactly the task's committed events, each once, at offsets 1..n; their entity
   * versions climb from 1 to the task's version without a gap (the last change carries two events,
   * {@code node.task.updated} and {@code node.task.completed}, with one version); the completion is
   * last and says succeeded.
   */
  private static void assertEveryEventOnceInOrder(long id, List<JsonObject> frames, JsonObject row, long committed) {
    String task = "task " + id;
    assertThat(frames).as("%s: events delivered vs committed", task).hasSize((int) committed);
    assertThat(frames).extracting(frame -> frame.getLong("offset")).as("%s: offsets", task)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, frames.size()).boxed().toList());
    List<Long> versions = frames.stream().map(frame -> frame.getJsonObject("event").getLong("entity_version")).toList();
    assertThat(versions).as("%s: versions", task).isSorted();
    assertThat(versions.stream().distinct().toList()).as("%s: versions without a gap", task)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, row.getLong("version")).boxed().toList());
    List<JsonObject> completions = frames.stream()
        .filter(frame -> "node.task.completed".equals(frame.getJsonObject("event").getString("event_type"))).toList();
    assertThat(completions).as("%s: completion events", task).hasSize(1);
    assertThat(frames.get(frames.size() - 1)).as("%s: the last event", task).isEqualTo(completions.get(0));
    assertThat(completions.get(0).getJsonObject("event").getJsonObject("payload").getString("status"))
        .as("%s: the completion's status", task).isEqualTo(row.getString("status"));
  }

  private static Map<Long, JsonObject> taskRows() throws Exception {
    Map<Long, JsonObject> rows = new LinkedHashMap<>();
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("SELECT id, status, attempts, version, error FROM task ORDER BY id")) {
      while (result.next()) {
        rows.put(result.getLong("id"), new JsonObject().put("id", result.getLong("id"))
            .put("status", result.getString("status")).put("attempts", result.getInt("attempts"))
            .put("version", result.getLong("version")).put("error", result.getString("error")));
      }
    }
    return rows;
  }

  private static long unsentOutboxRows() throws Exception {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL")) {
      result.next();
      return result.getLong(1);
    }
  }

  /** Events committed per task: its outbox rows, each written in the transaction of a state change. */
  private static Map<Long, Long> committedEventsPerTask() throws Exception {
    Map<Long, Long> committed = new HashMap<>();
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("SELECT (draft->>'entity_id')::bigint AS task, count(*) FROM outbox "
             + "WHERE draft->>'entity_kind' = 'task' GROUP BY 1")) {
      while (result.next()) {
        committed.put(result.getLong(1), result.getLong(2));
      }
    }
    return committed;
  }

  private static int clusterMembers() throws Exception {
    JsonObject health = HttpClients.of(vertx).get(webPort, "127.0.0.1", "/api/v1/infrastructure/health").send()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsJsonObject();
    return health.getJsonObject("checks").getJsonObject("cluster").getInteger("members", 0);
  }

  private static String room(long task) {
    return "task:" + task;
  }

  private static String token() {
    return RealtimeTokens.create(vertx, JWT_SECRET).mint("chaos", List.of("task:*"), Duration.ofSeconds(600));
  }
}

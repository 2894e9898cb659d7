package studio.tasks.support;


import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.taskstore.FlowchartDefinition;
import studio.taskstore.FlowchartRuns;
import studio.taskstore.Flowcharts;
import studio.taskstore.RunState.FailureMode;
import studio.taskstore.Signals;
import studio.taskstore.TaskOrigin;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskSpec;
import studio.taskstore.Tasks;
import studio.testsupport.TestInfrastructure;

/** The test PostgreSQL, migrated and emptied of task state, with blocking helpers for test threads. */
public final class TaskDatabase implements AutoCloseable {
  public final Vertx vertx;
  public final Pool pool;

  private TaskDatabase(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public static Map<String, Object> settings(Map<String, Object> extra) {
    Map<String, Object> values = new HashMap<>(Map.of(
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_TASKS_PORT", "0",
        "STUDIO_TASKS_POLL_INTERVAL", "200ms",
        "STUDIO_TASKS_RETRY_BACKOFF", "100ms",
        "STUDIO_OUTBOX_POLL_INTERVAL", "100ms",
        "STUDIO_GRACEFUL_TIMEOUT", "5s"));
    values.putAll(extra);
    values.computeIfAbsent("DATABASE_URL", unset -> TestInfrastructure.databaseUrl());
    return values;
  }

  public static CommonConfig common(Map<String, Object> values) {
    return CommonConfig.from(Settings.of(values), false);
  }

  /** Migrates, then empties every task table, so each test starts from no work at all. */
  public static TaskDatabase open(Vertx vertx) {
    CommonConfig common = common(settings(Map.of()));
    Pool pool = Database.pool(vertx, common.database());
    await(Database.migrate(vertx, common.database())
        .compose(done -> pool.query("TRUNCATE task, chat_turn, chat_thread, flowchart_run, flowchart, autorun, outbox").execute()));
    return new TaskDatabase(vertx, pool);
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getCause() == null ? e : e.getCause());
    }
  }

  public TaskRow enqueue(JsonObject spec) {
    return await(pool.withTransaction(tx -> Tasks.enqueue(tx, TaskSpec.parse(spec), TaskOrigin.NONE)));
  }

  public List<Long> enqueueMany(JsonObject spec, int count) {
    TaskSpec parsed = TaskSpec.parse(spec);
    return await(pool.withTransaction(tx -> {
      List<Long> ids = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < count; i++) {
        chain = chain.compose(done -> Tasks.enqueue(tx, parsed, TaskOrigin.NONE).map(task -> {
          ids.add(task.id());
          return null;
        }));
      }
      return chain.map(ids);
    }));
  }

  public long flowchart(JsonObject definition) {
    return await(Flowcharts.create(pool, "test", FlowchartDefinition.parse(definition))).getLong("id");
  }

  /** Starts a run and signals runners on {@code bus} (wake for the queued nodes). */
  public JsonObject startRun(Vertx bus, long flowchartId, FailureMode mode, int maxParallel) {
    FlowchartRuns.Change started = await(pool.withTransaction(tx -> FlowchartRuns.start(tx, flowchartId, mode, maxParallel)));
    Signals.wake(bus);
    return started.run();
  }

  public JsonObject cancelRun(Vertx bus, long runId) {
    FlowchartRuns.Change cancelled = await(pool.withTransaction(tx -> FlowchartRuns.cancel(tx, runId)));
    Signals.cancel(bus, cancelled.cancelSignals());
    return cancelled.run();
  }

  public JsonObject run(long runId) {
    return await(FlowchartRuns.find(pool, runId));
  }

  public JsonObject awaitRun(long runId, Predicate<JsonObject> condition) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> condition.test(run(runId)));
    return run(runId);
  }

  public TaskRow task(long id) {
    return await(Tasks.find(pool, id));
  }

  public TaskRow awaitTask(long id, Predicate<TaskRow> condition) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> condition.test(task(id)));
    return task(id);
  }

  public long count(String sql, Object... params) {
    return await(pool.preparedQuery(sql).execute(Tuple.from(params))).iterator().next().getLong(0);
  }

  /** Event drafts written to the outbox, oldest first, whose rooms include {@code room}. */
  public List<JsonObject> events(String room) {
    List<JsonObject> drafts = new ArrayList<>();
    for (Row row : await(pool.preparedQuery("SELECT draft FROM outbox WHERE draft->'room_keys' ? $1 ORDER BY id")
        .execute(Tuple.of(room)))) {
      drafts.add(row.getJsonObject("draft"));
    }
    return drafts;
  }

  @Override
  public void close() {
    await(pool.close());
  }
}

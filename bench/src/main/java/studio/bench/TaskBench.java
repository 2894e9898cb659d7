package studio.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.embedded.EmbeddedPostgresServer;
import studio.outbox.OutboxVerticle;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;
import studio.tasks.TaskRunnerVerticle;
import studio.tasks.TasksConfig;
import studio.taskstore.TaskOrigin;
import studio.taskstore.TaskSpec;
import studio.taskstore.Tasks;

/**
 * {@code scripts/bench tasks}: N noop tasks queued up front, then R task runners (each on its own
 * Vert.x, as separate processes would be) claim and complete them; prints tasks per second from the
 * first runner's start until the last task succeeded.
 */
@Command(name = "tasks", mixinStandardHelpOptions = true,
    description = "Noop tasks claimed and completed per second by R runners sharing one PostgreSQL queue.")
final class TaskBench implements Callable<Integer> {
  private static final String UNFINISHED = "SELECT (SELECT count(*) FROM task WHERE status = 'queued') "
      + "+ (SELECT count(*) FROM task WHERE status = 'running')";
  @Option(names = "--runners", defaultValue = "1", description = "task runners (default ${DEFAULT-VALUE})")
  int runners;
  @Option(names = "--tasks", defaultValue = "5000", description = "noop tasks (default ${DEFAULT-VALUE})")
  int tasks;
  @Option(names = "--concurrency", defaultValue = "8", description = "STUDIO_TASKS_CONCURRENCY per runner (default ${DEFAULT-VALUE})")
  int concurrency;

  @Override
  public Integer call() throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("studio.outbox")).setLevel(ch.qos.logback.classic.Level.ERROR);
    String databaseUrl = System.getenv("DATABASE_URL");
    EmbeddedPostgresServer postgres = databaseUrl == null ? EmbeddedPostgresServer.start(null, 0) : null;
    Map<String, Object> values = new HashMap<>(Map.of(
        "DATABASE_URL", postgres != null ? postgres.url() : databaseUrl,
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_TASKS_PORT", "0",
        "STUDIO_TASKS_CONCURRENCY", Integer.toString(concurrency),
        "STUDIO_TASKS_POLL_INTERVAL", "1s"));
    Settings settings = Settings.of(values);
    CommonConfig common = CommonConfig.from(settings, false);
    Vertx control = Vertx.vertx();
    List<Vertx> nodes = new ArrayList<>();
    try {
      Pool pool = Database.pool(control, common.database());
      await(Database.migrate(control, common.database()));
      long before = count(pool, "SELECT count(*) FROM task WHERE status = 'succeeded'");
      enqueue(pool);
      long commitsBefore = commits(pool);
      long start = System.nanoTime();
      for (int i = 0; i < runners; i++) {
        Vertx node = Vertx.vertx();
        nodes.add(node);
        await(node.deployVerticle(new OutboxVerticle(new ServiceContext(common, null))));
        await(node.deployVerticle(new TaskRunnerVerticle(new ServiceContext(common, null), TasksConfig.from(settings))));
      }
      long target = before + tasks;
      // Polls what is left through the partial indexes of queued and running tasks: counting the
      // succeeded ones scans the whole table, every 50 ms, on the cores the runners and PostgreSQL share.
      while (count(pool, UNFINISHED) > 0) {
        Thread.sleep(50);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long succeeded = count(pool, "SELECT count(*) FROM task WHERE status = 'succeeded'");
      if (succeeded < target) {
        System.out.printf(Locale.ROOT, "only %d of %d tasks succeeded%n", succeeded - before, tasks);
        return 1;
      }
      long doubled = count(pool, "SELECT count(*) FROM task WHERE attempts > 1");
      // The statistics other backends report reach pg_stat_database within a second (PGSTAT_MIN_INTERVAL).
      Thread.sleep(1500);
      long commitsDuring = commits(pool) - commitsBefore;
      System.out.printf(Locale.ROOT, "scenario: runners=%d concurrency=%d tasks=%d (noop)%n", runners, concurrency, tasks);
      System.out.printf(Locale.ROOT, "completed: %d in %.2fs = %.0f tasks/s (claim + run + finish, each with its events)%n",
          tasks, seconds, tasks / seconds);
      System.out.printf(Locale.ROOT, "tasks run more than once: %d%n", doubled);
      System.out.printf(Locale.ROOT, "PostgreSQL commits: %d = %.2f per task (all of them: runners, relays, heartbeats, "
          + "this bench's polls)%n", commitsDuring, (double) commitsDuring / tasks);
      return 0;
    } finally {
      for (Vertx node : nodes) {
        await(node.close());
      }
      await(control.close());
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  private void enqueue(Pool pool) throws Exception {
    TaskSpec noop = TaskSpec.parse(new JsonObject().put("executor", "noop").put("max_attempts", 1));
    for (int from = 0; from < tasks; from += 500) {
      int batch = Math.min(500, tasks - from);
      await(pool.withTransaction(tx -> {
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < batch; i++) {
          chain = chain.compose(done -> Tasks.enqueue(tx, noop, TaskOrigin.NONE).mapEmpty());
        }
        return chain;
      }));
    }
  }

  private static long commits(Pool pool) throws Exception {
    return count(pool, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
  }

  private static long count(Pool pool, String sql) throws Exception {
    return await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}

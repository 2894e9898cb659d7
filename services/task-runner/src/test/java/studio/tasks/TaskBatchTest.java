package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import studio.tasks.support.FinishFault;
import studio.tasks.support.RunnerProcess;
import studio.tasks.support.Runners;
import studio.tasks.support.TaskDatabase;
import studio.tasks.support.TaskFixture;
import studio.taskstore.Signals;
import studio.taskstore.TaskStatus;
import studio.taskstore.TaskTransitions;
import studio.testsupport.TestInfrastructure;

/**
 * Batch claims (several tasks and their events in one transaction) and batch finishes (the outcomes
 * of tasks that end together in one transaction), against real PostgreSQL. A row's xmin is the
 * transaction that wrote it, so outbox rows sharing one were committed together.
 */
class TaskBatchTest {
  private static final String EVERY_SUCCEEDED_TASK_HAS_ITS_EVENTS = """
      SELECT count(*) FROM task t WHERE t.status = 'succeeded' AND t.id = ANY($1) AND (
        (SELECT count(*) FROM outbox o WHERE o.draft->>'entity_id' = t.id::text
           AND o.draft->>'event_type' = 'node.task.completed') <> 1
        OR (SELECT count(*) FROM outbox o WHERE o.draft->>'entity_id' = t.id::text
           AND o.draft->>'event_type' = 'node.task.updated' AND o.draft->'payload'->>'status' = 'succeeded') <> 1)""";
  @RegisterExtension final TaskFixture fixture = new TaskFixture();

  @Test
  @DisplayName("two runners race on one queue with batch claims and finishes: every task runs exactly once, "
      + "and claims and finishes each took fewer transactions than tasks")
  void twoRunnersRacingRunEachTaskOnce() {
    List<Long> ids = fixture.db().enqueueMany(new JsonObject().put("executor", "noop"), 400);
    fixture.runner(Map.of("STUDIO_TASKS_CONCURRENCY", "8"));
    fixture.runner(Map.of("STUDIO_TASKS_CONCURRENCY", "8"));
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .until(() -> fixture.db().count("SELECT count(*) FROM task WHERE status = 'succeeded'") == 400);
    Object[] all = {ids.toArray(Long[]::new)};
    assertThat(fixture.db().count("SELECT count(*) FROM task WHERE attempts <> 1")).isZero();
    assertThat(fixture.db().count("""
        SELECT count(DISTINCT draft->>'entity_id') FROM outbox WHERE draft->>'event_type' = 'node.task.updated'
          AND draft->'payload'->>'status' = 'running'""")).isEqualTo(400);
    assertThat(fixture.db().count("""
        SELECT count(*) FROM outbox WHERE draft->>'event_type' = 'node.task.updated'
          AND draft->'payload'->>'status' = 'running'""")).as("one claim per task").isEqualTo(400);
    assertThat(fixture.db().count(EVERY_SUCCEEDED_TASK_HAS_ITS_EVENTS, all)).isZero();
    assertThat(fixture.db().count("SELECT count(DISTINCT runtime->>'runner') FROM task")).isEqualTo(2);
    long claimTransactions = fixture.db().count("""
        SELECT count(DISTINCT xmin::text) FROM outbox WHERE draft->>'event_type' = 'node.task.updated'
          AND draft->'payload'->>'status' = 'running'""");
    long finishTransactions = fixture.db().count(
        "SELECT count(DISTINCT xmin::text) FROM outbox WHERE draft->>'event_type' = 'node.task.completed'");
    assertThat(claimTransactions).as("claim transactions for 400 tasks").isLessThan(200);
    assertThat(finishTransactions).as("finish transactions for 400 tasks").isLessThan(200);
  }

  @Test
  @DisplayName("a finish batch leases the next tasks in its own transaction (their running events commit with the "
      + "batch's completions): every task still runs once, with its events, and no transaction claims more than the concurrency")
  void finishBatchClaimsTheNextTasks() {
    List<Long> ids = fixture.db().enqueueMany(new JsonObject().put("executor", "noop"), 60);
    fixture.runner(Map.of("STUDIO_TASKS_CONCURRENCY", "4"));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> fixture.db().count("SELECT count(*) FROM task WHERE status = 'succeeded'") == 60);
    Object[] all = {ids.toArray(Long[]::new)};
    assertThat(fixture.db().count("SELECT count(*) FROM task WHERE attempts <> 1")).isZero();
    assertThat(fixture.db().count(EVERY_SUCCEEDED_TASK_HAS_ITS_EVENTS, all)).isZero();
    assertThat(fixture.db().count("""
        SELECT count(*) FROM outbox WHERE draft->>'event_type' = 'node.task.updated'
          AND draft->'payload'->>'status' = 'running'""")).as("one claim per task").isEqualTo(60);
    long claimedWithAFinish = fixture.db().count("""
        SELECT count(*) FROM outbox c WHERE c.draft->>'event_type' = 'node.task.updated'
          AND c.draft->'payload'->>'status' = 'running' AND EXISTS (SELECT 1 FROM outbox f
            WHERE f.xmin::text = c.xmin::text AND f.draft->>'event_type' = 'node.task.completed')""");
    // The first claim has no finish to ride on; after that, a batch of k finishes takes the next k.
    assertThat(claimedWithAFinish).as("tasks leased in a finish batch's transaction").isGreaterThanOrEqualTo(40);
    long mostInOneFinish = fixture.db().count("""
        SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM outbox c WHERE c.draft->>'event_type' = 'node.task.updated'
          AND c.draft->'payload'->>'status' = 'running' GROUP BY c.xmin::text) claims""");
    assertThat(mostInOneFinish).as("a transaction claims at most the concurrency").isLessThanOrEqualTo(4);
  }

  @Test
  @DisplayName("a finish batch whose connection dies mid-way commits nothing; each task is then stored on its own: "
      + "all succeed once, none succeeded without its events")
  void failedFinishBatchLosesAndDoublesNothing() {
    List<Long> ids = fixture.db().enqueueMany(new JsonObject().put("executor", "noop"), 8);
    long faulty = ids.get(4);
    try (FinishFault fault = FinishFault.inject(fixture.db().pool, faulty, 1)) {
      fixture.runner(Map.of("STUDIO_TASKS_CONCURRENCY", "8", "STUDIO_TASKS_RETRY_BACKOFF", "100ms"));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> fixture.db().count("SELECT count(*) FROM task WHERE status = 'succeeded'") == 8);
      assertThat(fault.attempts()).as("the batch's write, then the task's own").isGreaterThanOrEqualTo(2);
    }
    Object[] all = {ids.toArray(Long[]::new)};
    assertThat(fixture.db().count("SELECT count(*) FROM task WHERE attempts <> 1")).isZero();
    assertThat(fixture.db().count(EVERY_SUCCEEDED_TASK_HAS_ITS_EVENTS, all)).isZero();
    assertThat(fixture.db().count("SELECT count(*) FROM outbox WHERE draft->>'event_type' = 'node.task.completed'")).isEqualTo(8);
  }

  @Test
  @DisplayName("a runner killed between a batch claim and its finish: every lease of the batch expires and another "
      + "runner finishes each task on attempt 2")
  void killedAfterBatchClaimLeasesExpire() throws Exception {
    List<Long> ids = fixture.db().enqueueMany(new JsonObject().put("executor", "sleep")
        .put("params", new JsonObject().put("duration_ms", 6000)), 4);
    Object[] all = {ids.toArray(Long[]::new)};
    Process doomed = RunnerProcess.spawn(TestInfrastructure.databaseUrl(), "1s", 4);
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> fixture.db().count("SELECT count(*) FROM task WHERE status = 'running' AND id = ANY($1)", all) == 4);
      // Each sleep announces its stage in a transaction of its own: wait for those too, so the count
      // below sees them and must tell the claim's events apart from them.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> fixture.db().count("SELECT count(*) FROM outbox WHERE draft->>'event_type' = 'node.task.stage.updated'") == 4);
      assertThat(fixture.db().count("""
          SELECT count(DISTINCT xmin::text) FROM outbox WHERE draft->>'event_type' = 'node.task.updated'
            AND draft->'payload'->>'status' = 'running'"""))
          .as("the four claimed in one transaction").isEqualTo(1);
      doomed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      fixture.runner(Map.of("STUDIO_TASKS_LEASE", "1s", "STUDIO_TASKS_CONCURRENCY", "4"));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> fixture.db().count("SELECT count(*) FROM task WHERE status = 'succeeded' AND id = ANY($1)", all) == 4);
      assertThat(fixture.db().count("SELECT count(*) FROM task WHERE attempts <> 2 AND id = ANY($1)", all)).isZero();
      assertThat(fixture.db().count(EVERY_SUCCEEDED_TASK_HAS_ITS_EVENTS, all)).isZero();
    } finally {
      doomed.destroyForcibly();
    }
  }

  @Test
  @DisplayName("cancel of one task of a batch ends it cancelled; the others of the batch succeed")
  void cancelOneOfABatch() {
    List<Long> ids = fixture.db().enqueueMany(new JsonObject().put("executor", "sleep")
        .put("params", new JsonObject().put("duration_ms", 1500)), 4);
    Vertx runnerVertx = fixture.runner(Map.of("STUDIO_TASKS_CONCURRENCY", "4"));
    long victim = ids.get(1);
    fixture.db().awaitTask(victim, row -> row.status() == TaskStatus.RUNNING);
    TaskTransitions.Outcome outcome = TaskDatabase.await(TaskTransitions.cancel(fixture.db().pool, victim));
    Signals.cancel(runnerVertx, outcome.cancelSignals());
    assertThat(fixture.db().awaitTask(victim, row -> row.status().terminal()).status()).isEqualTo(TaskStatus.CANCELLED);
    for (long id : ids) {
      if (id != victim) {
        assertThat(fixture.db().awaitTask(id, row -> row.status().terminal()).status()).isEqualTo(TaskStatus.SUCCEEDED);
      }
    }
    assertThat(fixture.db().count("SELECT count(*) FROM outbox WHERE draft->>'event_type' = 'node.task.completed'")).isEqualTo(4);
  }
}

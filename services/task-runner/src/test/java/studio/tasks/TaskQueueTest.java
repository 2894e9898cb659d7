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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import studio.runtime.metrics.SampledGauges;
import studio.tasks.queue.TaskQueue;
import studio.tasks.support.RunnerProcess;
import studio.tasks.support.Runners;
import studio.tasks.support.TaskDatabase;
import studio.tasks.support.TaskFixture;
import studio.taskstore.Signals;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskStatus;
import studio.taskstore.TaskTransitions;
import studio.testsupport.TestInfrastructure;

/** The durable queue against real PostgreSQL: several runners, leases, retries, cancel. */
class TaskQueueTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();

  @Test
  @DisplayName("three runners share 500 noop tasks: every task runs exactly once and succeeds")
  void exactlyOnceAcrossThreeRunners() {
    List<Long> ids = fixture.db().enqueueMany(new JsonObject().put("executor", "noop"), 500);
    for (int i = 0; i < 3; i++) {
      fixture.runner(Map.of("STUDIO_TASKS_CONCURRENCY", "8"));
    }
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .until(() -> fixture.db().count("SELECT count(*) FROM task WHERE status = 'succeeded'") == 500);
    assertThat(fixture.db().count("SELECT count(*) FROM task WHERE attempts <> 1")).isZero();
    assertThat(fixture.db().count("""
        SELECT count(*) FROM outbox WHERE draft->>'event_type' = 'node.task.updated'
          AND draft->'payload'->>'status' = 'running'""")).isEqualTo(500);
    assertThat(fixture.db().count("SELECT count(*) FROM outbox WHERE draft->>'event_type' = 'node.task.completed'")).isEqualTo(500);
    assertThat(fixture.db().count("SELECT count(DISTINCT runtime->>'runner') FROM task WHERE id = ANY($1)",
        (Object) ids.toArray(Long[]::new))).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("the queue gauges count queued tasks and how long the longest-waiting due one has waited; a task "
      + "waiting out a retry backoff counts as queued but not as waiting")
  void queueGauges() {
    TaskRow waiting = fixture.db().enqueue(new JsonObject().put("executor", "noop"));
    TaskRow backingOff = fixture.db().enqueue(new JsonObject().put("executor", "noop"));
    fixture.db().count("WITH moved AS (UPDATE task SET run_after = now() - interval '120 seconds' WHERE id = $1 RETURNING 1) "
        + "SELECT count(*) FROM moved", waiting.id());
    fixture.db().count("WITH moved AS (UPDATE task SET run_after = now() + interval '1 hour' WHERE id = $1 RETURNING 1) "
        + "SELECT count(*) FROM moved", backingOff.id());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SampledGauges gauges = TaskQueue.gauges(fixture.vertx(), fixture.db().pool, registry);
    try {
      TaskDatabase.await(gauges.start());
      assertThat(registry.get("studio_tasks_queued").gauge().value()).isEqualTo(2);
      assertThat(registry.get("studio_tasks_oldest_queued_age_seconds").gauge().value()).isBetween(120.0, 600.0);
    } finally {
      fixture.vertx().runOnContext(stop -> gauges.stop());
    }
  }

  @Test
  @DisplayName("a runner killed mid-task leaves its lease to expire; another runner finishes the task on attempt 2")
  void leaseExpiryAfterKill() throws Exception {
    TaskRow task = fixture.db().enqueue(new JsonObject().put("executor", "sleep")
        .put("params", new JsonObject().put("duration_ms", 6000)));
    Process doomed = RunnerProcess.spawn(TestInfrastructure.databaseUrl(), "1s");
    try {
      TaskRow running = fixture.db().awaitTask(task.id(), row -> row.status() == TaskStatus.RUNNING);
      doomed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      fixture.runner(Map.of("STUDIO_TASKS_LEASE", "1s"));
      TaskRow done = fixture.db().awaitTask(task.id(), row -> row.status() == TaskStatus.SUCCEEDED);
      assertThat(done.attempts()).isEqualTo(2);
      assertThat(done.runtime().getString("runner")).isNotEqualTo(running.leaseOwner());
      assertThat(fixture.db().events("task:" + task.id())).extracting(e -> e.getJsonObject("payload").getString("stage"))
          .contains("starting", "retrying", "succeeded");
    } finally {
      doomed.destroyForcibly();
    }
  }

  @Test
  @DisplayName("cancel of a running task stops it promptly and it ends cancelled, without a retry")
  void cancelRunning() {
    Vertx runnerVertx = fixture.runner(Map.of());
    TaskRow task = fixture.db().enqueue(new JsonObject().put("executor", "sleep")
        .put("params", new JsonObject().put("duration_ms", 600_000)));
    Signals.wake(runnerVertx);
    fixture.db().awaitTask(task.id(), row -> row.status() == TaskStatus.RUNNING);
    TaskTransitions.Outcome outcome = TaskDatabase.await(TaskTransitions.cancel(fixture.db().pool, task.id()));
    Signals.cancel(runnerVertx, outcome.cancelSignals());
    TaskRow cancelled = fixture.db().awaitTask(task.id(), row -> row.status().terminal());
    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(cancelled.attempts()).isEqualTo(1);
    assertThat(cancelled.cancelRequested()).isTrue();
  }

  @Test
  @DisplayName("a cancel flag set in the row alone (the bus message lost) still stops the task at the next lease renewal")
  void cancelByRowFlag() {
    fixture.runner(Map.of("STUDIO_TASKS_LEASE", "1500ms"));
    TaskRow task = fixture.db().enqueue(new JsonObject().put("executor", "sleep")
        .put("params", new JsonObject().put("duration_ms", 600_000)));
    fixture.db().awaitTask(task.id(), row -> row.status() == TaskStatus.RUNNING);
    TaskDatabase.await(TaskTransitions.cancel(fixture.db().pool, task.id()));
    TaskRow cancelled = fixture.db().awaitTask(task.id(), row -> row.status().terminal());
    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
  }

  @Test
  @DisplayName("the runner's heartbeat shows which tasks it is running, for /api/v1/infrastructure/health/workers")
  void heartbeatShowsRunningTasks() {
    fixture.runner(Map.of("STUDIO_TASKS_CONCURRENCY", "3"));
    TaskRow task = fixture.db().enqueue(new JsonObject().put("executor", "sleep")
        .put("params", new JsonObject().put("duration_ms", 600_000)));
    TaskRow running = fixture.db().awaitTask(task.id(), row -> row.status() == TaskStatus.RUNNING);
    await().atMost(Duration.ofSeconds(30)).until(() -> fixture.db().count("""
        SELECT count(*) FROM service_instance, jsonb_array_elements(details->'running') AS t
        WHERE service = 'task-runner' AND instance_id = $1 AND (t->>'task_id')::bigint = $2""",
        running.leaseOwner(), task.id()) == 1);
    assertThat(fixture.db().count("SELECT count(*) FROM service_instance WHERE instance_id = $1 AND (details->>'concurrency')::int = 3",
        running.leaseOwner())).isEqualTo(1);
  }

  @Test
  @DisplayName("cancel of a queued task ends it at once; no runner ever claims it")
  void cancelQueued() {
    TaskRow task = fixture.db().enqueue(new JsonObject().put("executor", "noop"));
    TaskRow cancelled = TaskDatabase.await(TaskTransitions.cancel(fixture.db().pool, task.id())).task();
    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    fixture.runner(Map.of());
    TaskRow later = fixture.db().enqueue(new JsonObject().put("executor", "noop"));
    fixture.db().awaitTask(later.id(), row -> row.status() == TaskStatus.SUCCEEDED);
    assertThat(fixture.db().task(task.id()).attempts()).isZero();
  }
}

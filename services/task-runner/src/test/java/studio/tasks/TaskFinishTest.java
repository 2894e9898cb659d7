package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import studio.tasks.support.FinishFault;
import studio.tasks.support.TaskDatabase;
import studio.tasks.support.TaskFixture;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskStatus;

/** Storing a task's outcome when PostgreSQL fails at that moment. */
class TaskFinishTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();
  private HttpServer work;
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void open() {
    // The task's work: one HTTP request, so every run of it is counted here.
    work = TaskDatabase.await(fixture.vertx().createHttpServer().requestHandler(request -> {
      requests.incrementAndGet();
      request.response().putHeader("Content-Type", "application/json").end("{\"done\":true}");
    }).listen(0, "127.0.0.1"));
  }

  @Test
  @DisplayName("an outcome PostgreSQL refuses to store is stored again while the lease holds: the task runs once and ends succeeded")
  void failedFinishIsRetriedNotRerun() {
    TaskRow task = fixture.db().enqueue(new JsonObject().put("executor", "http")
        .put("params", new JsonObject().put("url", "http://127.0.0.1:" + work.actualPort() + "/work")));
    // Four refusals with a 100 ms backoff take 1.5 s: longer than the lease, so it must be renewed meanwhile.
    try (FinishFault fault = FinishFault.inject(fixture.db().pool, task.id(), 4)) {
      fixture.runner(Map.of("STUDIO_TASKS_LEASE", "1s", "STUDIO_TASKS_RETRY_BACKOFF", "100ms",
          "STUDIO_EGRESS_ALLOWED_NETWORKS", "127.0.0.0/8"));
      TaskRow done = fixture.db().awaitTask(task.id(), row -> row.status().terminal());
      assertThat(fault.attempts()).isGreaterThanOrEqualTo(5);
      assertThat(requests.get()).isEqualTo(1);
      assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
      assertThat(done.attempts()).isEqualTo(1);
      assertThat(done.result().getInteger("status")).isEqualTo(200);
      assertThat(done.result().getString("body")).contains("done");
    }
    List<JsonObject> events = fixture.db().events("task:" + task.id());
    assertThat(events).filteredOn(e -> e.getString("event_type").equals("node.task.completed")).hasSize(1);
    assertThat(events).extracting(e -> e.getJsonObject("payload").getString("stage"))
        .contains("starting", "succeeded").doesNotContain("retrying");
  }
}

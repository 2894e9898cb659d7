package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import studio.tasks.support.TaskFixture;
import studio.taskstore.RunState.FailureMode;

/** Flowchart runs executed by real runners: dependency order, bounded parallelism, failure modes, cancel. */
class FlowchartRunTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();
  private Vertx runnerVertx;

  @BeforeEach
  void open() {
    runnerVertx = fixture.runner(Map.of("STUDIO_TASKS_CONCURRENCY", "8"));
  }

  static JsonObject sleep(long millis) {
    return new JsonObject().put("executor", "sleep").put("params", new JsonObject().put("duration_ms", millis));
  }

  static JsonObject graph(Map<String, JsonObject> nodes, String... edges) {
    JsonArray nodeArray = new JsonArray();
    nodes.forEach((key, task) -> nodeArray.add(new JsonObject().put("key", key).put("task", task)));
    JsonArray edgeArray = new JsonArray();
    for (String edge : edges) {
      String[] ends = edge.split("->");
      edgeArray.add(new JsonObject().put("from", ends[0]).put("to", ends[1]));
    }
    return new JsonObject().put("nodes", nodeArray).put("edges", edgeArray);
  }

  private static Map<String, JsonObject> nodes(JsonObject run) {
    Map<String, JsonObject> byKey = new HashMap<>();
    run.getJsonArray("nodes").forEach(node -> byKey.put(((JsonObject) node).getString("key"), (JsonObject) node));
    return byKey;
  }

  private static OffsetDateTime time(JsonObject node, String field) {
    return OffsetDateTime.parse(node.getString(field));
  }

  private static boolean terminal(JsonObject run) {
    return List.of("succeeded", "failed", "cancelled").contains(run.getString("status"));
  }

  @Test
  @DisplayName("nodes run in dependency order: each starts only after all its dependencies finished")
  void dependencyOrder() {
    Map<String, JsonObject> spec = new LinkedHashMap<>();
    for (String key : List.of("d", "c", "b", "a")) {
      spec.put(key, sleep(100));
    }
    long flowchart = fixture.db().flowchart(graph(spec, "a->b", "b->c", "a->d", "c->d"));
    long runId = fixture.db().startRun(runnerVertx, flowchart, FailureMode.FAIL_FAST, 4).getLong("id");
    JsonObject run = fixture.db().awaitRun(runId, FlowchartRunTest::terminal);
    assertThat(run.getString("status")).isEqualTo("succeeded");
    Map<String, JsonObject> nodes = nodes(run);
    for (String[] edge : List.of(new String[] {"a", "b"}, new String[] {"b", "c"}, new String[] {"a", "d"},
        new String[] {"c", "d"})) {
      assertThat(time(nodes.get(edge[1]), "started_at")).isAfterOrEqualTo(time(nodes.get(edge[0]), "finished_at"));
    }
  }

  @Test
  @DisplayName("independent branches run in parallel, never more at once than the run's max_parallel")
  void boundedParallelism() {
    Map<String, JsonObject> spec = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      spec.put("n" + i, sleep(1500));
    }
    long flowchart = fixture.db().flowchart(graph(spec));
    long runId = fixture.db().startRun(runnerVertx, flowchart, FailureMode.FAIL_FAST, 2).getLong("id");
    JsonObject run = fixture.db().awaitRun(runId, FlowchartRunTest::terminal);
    assertThat(run.getString("status")).isEqualTo("succeeded");
    List<long[]> spans = new ArrayList<>();
    nodes(run).values().forEach(node -> spans.add(new long[] {time(node, "started_at").toInstant().toEpochMilli(),
        time(node, "finished_at").toInstant().toEpochMilli()}));
    int maxOverlap = 0;
    for (long[] span : spans) {
      long at = span[0];
      int overlap = (int) spans.stream().filter(other -> other[0] <= at && other[1] > at).count();
      maxOverlap = Math.max(maxOverlap, overlap);
    }
    assertThat(maxOverlap).isEqualTo(2);
  }

  @Test
  @DisplayName("fail-fast: the first failed node stops running nodes, skips the rest, and the run fails naming it")
  void failFast() {
    Map<String, JsonObject> spec = new LinkedHashMap<>();
    spec.put("slow", sleep(600_000));
    spec.put("bad", new JsonObject().put("executor", "shell")
        .put("params", new JsonObject().put("command", new JsonArray().add("true"))));
    spec.put("after", sleep(10));
    long flowchart = fixture.db().flowchart(graph(spec, "bad->after"));
    long runId = fixture.db().startRun(runnerVertx, flowchart, FailureMode.FAIL_FAST, 4).getLong("id");
    JsonObject run = fixture.db().awaitRun(runId, FlowchartRunTest::terminal);
    assertThat(run.getString("status")).isEqualTo("failed");
    assertThat(run.getString("error")).contains("node bad failed");
    Map<String, JsonObject> nodes = nodes(run);
    assertThat(nodes.get("bad").getString("status")).isEqualTo("failed");
    assertThat(nodes.get("slow").getString("status")).isEqualTo("cancelled");
    assertThat(nodes.get("after").getString("status")).isEqualTo("skipped");
  }

  @Test
  @DisplayName("continue-on-error: independent branches finish; only the failed node's dependents are skipped")
  void continueOnError() {
    Map<String, JsonObject> spec = new LinkedHashMap<>();
    spec.put("slow", sleep(300));
    spec.put("bad", new JsonObject().put("executor", "shell")
        .put("params", new JsonObject().put("command", new JsonArray().add("true"))));
    spec.put("after", sleep(10));
    spec.put("last", sleep(10));
    long flowchart = fixture.db().flowchart(graph(spec, "bad->after", "after->last"));
    long runId = fixture.db().startRun(runnerVertx, flowchart, FailureMode.CONTINUE, 4).getLong("id");
    JsonObject run = fixture.db().awaitRun(runId, FlowchartRunTest::terminal);
    assertThat(run.getString("status")).isEqualTo("failed");
    Map<String, JsonObject> nodes = nodes(run);
    assertThat(nodes.get("slow").getString("status")).isEqualTo("succeeded");
    assertThat(nodes.get("after").getString("status")).isEqualTo("skipped");
    assertThat(nodes.get("last").getString("status")).isEqualTo("skipped");
  }

  @Test
  @DisplayName("cancel of a running flowchart stops the running node, cancels the waiting ones, and the run ends cancelled")
  void cancelRunning() {
    Map<String, JsonObject> spec = new LinkedHashMap<>();
    spec.put("first", sleep(600_000));
    spec.put("second", sleep(10));
    long flowchart = fixture.db().flowchart(graph(spec, "first->second"));
    long runId = fixture.db().startRun(runnerVertx, flowchart, FailureMode.FAIL_FAST, 4).getLong("id");
    fixture.db().awaitRun(runId, run -> "running".equals(nodes(run).get("first").getString("status")));
    fixture.db().cancelRun(runnerVertx, runId);
    JsonObject run = fixture.db().awaitRun(runId, FlowchartRunTest::terminal);
    assertThat(run.getString("status")).isEqualTo("cancelled");
    assertThat(nodes(run).get("first").getString("status")).isEqualTo("cancelled");
    assertThat(nodes(run).get("second").getString("status")).isEqualTo("cancelled");
  }
}

package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import studio.tasks.support.Hub;
import studio.tasks.support.TaskFixture;
import studio.taskstore.RunState.FailureMode;
import studio.testsupport.RealtimeClient;

/** What a run page sees: a WebSocket subscriber of flowchart_run:<id>, through a real hub on Redis. */
class FlowchartRealtimeTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();
  private Hub hub;

  @BeforeEach
  void open() {
    hub = Hub.deploy(fixture.vertx());
    fixture.runnerBesideHub(Map.of("STUDIO_TASKS_CONCURRENCY", "4"));
  }

  @Test
  @DisplayName("a subscriber of flowchart_run:<id> sees every node go queued -> running -> succeeded, in dependency order, offsets gap-free")
  void subscriberSeesEveryTransition() throws Exception {
    Map<String, JsonObject> spec = new LinkedHashMap<>();
    for (String key : List.of("a", "b", "c", "d")) {
      spec.put(key, FlowchartRunTest.sleep(100));
    }
    long flowchart = fixture.db().flowchart(FlowchartRunTest.graph(spec, "a->b", "a->c", "b->d", "c->d"));
    long runId = fixture.db().startRun(fixture.vertx(), flowchart, FailureMode.FAIL_FAST, 4).getLong("id");
    String room = "flowchart_run:" + runId;
    RealtimeClient page = hub.connect(room);
    page.subscribe(new JsonObject().put(room, new JsonObject().put("offset", 0)), room);
    await().atMost(Duration.ofSeconds(60)).until(() -> page.events(room).stream()
        .anyMatch(frame -> event(frame).getString("event_type").equals("flowchart.run.updated")
            && payload(frame).getString("status").equals("succeeded")));

    List<JsonObject> frames = page.events(room);
    assertThat(frames).extracting(frame -> frame.getLong("offset"))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, frames.size()).boxed().toList());
    Map<String, List<String>> transitions = new LinkedHashMap<>();
    List<String> order = new ArrayList<>();
    for (JsonObject frame : frames) {
      if (event(frame).getString("event_type").equals("flowchart.node.updated")) {
        String node = payload(frame).getString("node_key");
        String status = payload(frame).getString("status");
        transitions.computeIfAbsent(node, key -> new ArrayList<>()).add(status);
        order.add(node + ":" + status);
      }
    }
    for (String node : List.of("a", "b", "c", "d")) {
      assertThat(transitions.get(node)).as(node).containsExactly("queued", "running", "succeeded");
    }
    assertThat(order.indexOf("a:succeeded")).isLessThan(order.indexOf("b:queued")).isLessThan(order.indexOf("c:queued"));
    assertThat(order.indexOf("b:succeeded")).isLessThan(order.indexOf("d:queued"));
    assertThat(order.indexOf("c:succeeded")).isLessThan(order.indexOf("d:queued"));
    List<Long> versions = frames.stream().map(frame -> payload(frame).getLong("version")).toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("flowchart.node.running_set follows the nodes' running announcements exactly: each set is what the node events "
      + "before it left running, parallel nodes together, empty at the end")
  void runningSetFollowsNodes() throws Exception {
    Map<String, JsonObject> spec = new LinkedHashMap<>();
    spec.put("a", FlowchartRunTest.sleep(50));
    spec.put("b", FlowchartRunTest.sleep(400));
    spec.put("c", FlowchartRunTest.sleep(400));
    long flowchart = fixture.db().flowchart(FlowchartRunTest.graph(spec, "a->b", "a->c"));
    long runId = fixture.db().startRun(fixture.vertx(), flowchart, FailureMode.FAIL_FAST, 4).getLong("id");
    String room = "flowchart_run:" + runId;
    RealtimeClient page = hub.connect(room);
    page.subscribe(new JsonObject().put(room, new JsonObject().put("offset", 0)), room);
    await().atMost(Duration.ofSeconds(60)).until(() -> page.events(room).stream()
        .anyMatch(frame -> event(frame).getString("event_type").equals("flowchart.run.updated")
            && payload(frame).getString("status").equals("succeeded")));

    Set<String> running = new LinkedHashSet<>();
    List<List<String>> sets = new ArrayList<>();
    for (JsonObject frame : page.events(room)) {
      String type = event(frame).getString("event_type");
      if (type.equals("flowchart.node.updated") && payload(frame).getString("status").equals("running")) {
        running.add(payload(frame).getString("node_key"));
      } else if (type.equals("flowchart.node.updated")) {
        running.remove(payload(frame).getString("node_key"));
      } else if (type.equals("flowchart.node.running_set")) {
        List<String> set = payload(frame).getJsonArray("running").stream().map(String.class::cast).toList();
        assertThat(set).as("running set at offset " + frame.getLong("offset")).containsExactlyInAnyOrderElementsOf(running);
        sets.add(set);
      }
    }
    assertThat(sets).first().isEqualTo(List.of("a"));
    assertThat(sets).contains(List.of("b", "c"));
    assertThat(sets).last().isEqualTo(List.of());
    assertThat(fixture.db().run(runId).getJsonArray("running")).isEmpty();
    page.close();
  }

  private static JsonObject event(JsonObject frame) {
    return frame.getJsonObject("event");
  }

  private static JsonObject payload(JsonObject frame) {
    return event(frame).getJsonObject("payload");
  }
}

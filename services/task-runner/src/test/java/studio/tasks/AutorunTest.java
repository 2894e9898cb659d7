package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import studio.tasks.support.Hub;
import studio.tasks.support.TaskDatabase;
import studio.tasks.support.TaskFixture;
import studio.taskstore.Autoruns;
import studio.taskstore.Signals;
import studio.testsupport.RealtimeClient;

/** Runs (the old autorun) end to end: tasks on real runners, the run's announcements on run:<id> through a real hub. */
class AutorunTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();
  private Hub hub;

  @BeforeEach
  void open() {
    hub = Hub.deploy(fixture.vertx());
    fixture.runnerBesideHub(Map.of("STUDIO_TASKS_CONCURRENCY", "2"));
  }

  private long create(JsonObject... specs) {
    JsonObject run = TaskDatabase.await(fixture.db().pool.withTransaction(tx ->
        Autoruns.create(tx, Autoruns.parse(new JsonObject().put("tasks", new JsonArray(List.of((Object[]) specs)))))));
    Signals.wake(fixture.vertx());
    return run.getLong("id");
  }

  private static JsonObject sleep(long millis) {
    return new JsonObject().put("executor", "sleep").put("params", new JsonObject().put("duration_ms", millis));
  }

  private RealtimeClient follow(String room) throws Exception {
    RealtimeClient page = hub.connect(room);
    page.subscribe(new JsonObject().put(room, new JsonObject().put("offset", 0)), room);
    return page;
  }

  private static List<JsonObject> payloads(RealtimeClient page, String room, String type) {
    return page.events(room).stream().map(frame -> frame.getJsonObject("event"))
        .filter(event -> event.getString("event_type").equals(type))
        .map(event -> event.getJsonObject("payload")).toList();
  }

  private static void awaitStatus(RealtimeClient page, String room, String status) {
    await().atMost(Duration.ofSeconds(60)).until(() -> payloads(page, room, "autorun.updated").stream()
        .anyMatch(payload -> payload.getString("status").equals(status)));
  }

  @Test
  @DisplayName("a run of three tasks announces queued -> running -> succeeded and each change of its node set, in version order")
  void announcesStatusAndNodeSet() throws Exception {
    long run = create(sleep(150), sleep(150), sleep(150));
    String room = "run:" + run;
    RealtimeClient page = follow(room);
    awaitStatus(page, room, "succeeded");
    // The final node set is appended right after the final status, in the same transaction.
    await().atMost(Duration.ofSeconds(20)).until(() -> payloads(page, room, "autorun.node_set.updated").stream()
        .anyMatch(set -> set.getJsonObject("counts").equals(new JsonObject().put("succeeded", 3))));

    List<JsonObject> frames = page.events(room);
    assertThat(frames).extracting(frame -> frame.getLong("offset"))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, frames.size()).boxed().toList());
    List<JsonObject> runEvents = frames.stream().map(frame -> frame.getJsonObject("event"))
        .filter(event -> event.getString("event_type").startsWith("autorun.")).toList();
    assertThat(runEvents).extracting(event -> event.getLong("entity_version"))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, runEvents.size()).boxed().toList());
    assertThat(runEvents).allSatisfy(event -> assertThat(event.getString("sequence_stream")).isEqualTo("run:" + run));
    assertThat(payloads(page, room, "autorun.updated")).extracting(payload -> payload.getString("status"))
        .containsExactly("queued", "running", "succeeded");

    List<JsonObject> sets = payloads(page, room, "autorun.node_set.updated");
    assertThat(sets.get(0).getJsonArray("nodes")).hasSize(3)
        .allSatisfy(node -> assertThat(((JsonObject) node).getString("status")).isEqualTo("queued"));
    assertThat(sets.get(sets.size() - 1).getJsonArray("nodes"))
        .allSatisfy(node -> assertThat(((JsonObject) node).getString("status")).isEqualTo("succeeded"));
    assertThat(sets.get(sets.size() - 1).getJsonObject("counts")).isEqualTo(new JsonObject().put("succeeded", 3));
    assertThat(sets).extracting(set -> set.getJsonArray("nodes").encode()).doesNotHaveDuplicates();
    page.close();
  }

  @Test
  @DisplayName("a run where one task fails and one succeeds ends partial")
  void partial() throws Exception {
    long run = create(new JsonObject().put("executor", "noop"),
        new JsonObject().put("executor", "shell").put("params", new JsonObject().put("command", new JsonArray().add("true")))
            .put("max_attempts", 1));
    String room = "run:" + run;
    RealtimeClient page = follow(room);
    awaitStatus(page, room, "partial");
    assertThat(fixture.db().count("SELECT count(*) FROM autorun WHERE id = $1 AND status = 'partial' AND finished_at IS NOT NULL", run))
        .isEqualTo(1);
    page.close();
  }

  @Test
  @DisplayName("cancelling a run ends its queued task at once, stops its running ones, and the run ends cancelled")
  void cancel() throws Exception {
    long run = create(sleep(60_000), sleep(60_000), sleep(60_000));
    String room = "run:" + run;
    RealtimeClient page = follow(room);
    await().atMost(Duration.ofSeconds(30)).until(() -> fixture.db().count(
        "SELECT count(*) FROM task WHERE run_id = $1 AND stage = 'sleeping'", run) == 2);
    Autoruns.Change change = TaskDatabase.await(fixture.db().pool.withTransaction(tx -> Autoruns.cancel(tx, run)));
    assertThat(change.changed()).isTrue();
    assertThat(change.cancelSignals()).hasSize(2);
    Signals.cancel(fixture.vertx(), change.cancelSignals());
    awaitStatus(page, room, "cancelled");
    assertThat(fixture.db().count("SELECT count(*) FROM task WHERE run_id = $1 AND status = 'cancelled'", run)).isEqualTo(3);
    assertThat(payloads(page, room, "autorun.updated")).extracting(payload -> payload.getString("status"))
        .containsExactly("queued", "running", "cancelled");
    page.close();
  }
}

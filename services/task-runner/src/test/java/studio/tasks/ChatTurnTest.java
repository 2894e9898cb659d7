package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import studio.contract.envelope.DraftEvent;
import studio.tasks.support.TaskDatabase;
import studio.tasks.support.TaskFixture;
import studio.taskstore.Chats;
import studio.taskstore.Signals;

/** A chat turn becomes an llm task; its events reach thread:<id> in order and the history keeps it. */
class ChatTurnTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();
  private Vertx runnerVertx;

  @BeforeEach
  void open() {
    runnerVertx = fixture.runner(Map.of("STUDIO_LLM_ECHO_TOKEN_DELAY", "10ms", "STUDIO_LLM_STREAM_BATCH", "30ms"));
  }

  private JsonObject submit(long thread, String prompt, JsonObject options) {
    JsonObject turn = TaskDatabase.await(fixture.db().pool.withTransaction(tx -> Chats.submitTurn(tx, thread, prompt, options)));
    Signals.wake(runnerVertx);
    return turn;
  }

  private JsonObject awaitTurn(long thread, long turn, String status) {
    await().atMost(Duration.ofSeconds(60)).until(() -> TaskDatabase.await(Chats.find(fixture.db().pool, thread))
        .getJsonArray("turns").stream().map(JsonObject.class::cast)
        .anyMatch(t -> t.getLong("id") == turn && t.getString("status").equals(status)));
    return TaskDatabase.await(Chats.find(fixture.db().pool, thread));
  }

  @Test
  @DisplayName("requested, then streamed activity, then responded, all to thread:<id> with rising versions")
  void turnStreamsAndResponds() {
    long thread = TaskDatabase.await(Chats.createThread(fixture.db().pool, "t")).getLong("id");
    long turn = submit(thread, "tell me about streaming tokens in small batches", new JsonObject()).getLong("id");
    JsonObject history = awaitTurn(thread, turn, "responded");
    String answer = "echo: tell me about streaming tokens in small batches";
    assertThat(history.getJsonArray("turns").getJsonObject(0).getString("response")).isEqualTo(answer);
    List<JsonObject> events = fixture.db().events("thread:" + thread);
    assertThat(events.get(0).getString("event_type")).isEqualTo("chat.turn.requested");
    assertThat(events.get(events.size() - 1).getString("event_type")).isEqualTo("chat.turn.responded");
    String streamed = events.stream().filter(e -> e.getString("event_type").equals("chat.activity.appended"))
        .map(e -> e.getJsonObject("payload").getString("delta")).collect(Collectors.joining());
    assertThat(streamed).isEqualTo(answer);
    assertThat(events.stream().filter(e -> e.getString("event_type").equals("chat.activity.appended")).count())
        .isGreaterThan(1);
    assertThat(events).extracting(e -> e.getLong("entity_version")).isSorted().doesNotHaveDuplicates();
    assertThat(events.get(events.size() - 1).getJsonObject("runtime").getString("final_provider")).isEqualTo("echo");
  }

  @Test
  @DisplayName("a 70,000-character prompt: the turn is accepted, its events carry previews and fit, the history keeps it whole")
  void longPromptTurn() {
    long thread = TaskDatabase.await(Chats.createThread(fixture.db().pool, "t")).getLong("id");
    String prompt = "p".repeat(70_000);
    JsonObject accepted = submit(thread, prompt, new JsonObject());
    assertThat(accepted.getString("prompt")).isEqualTo(prompt);
    JsonObject history = awaitTurn(thread, accepted.getLong("id"), "responded");
    assertThat(history.getJsonArray("turns").getJsonObject(0).getString("prompt")).isEqualTo(prompt);
    assertThat(history.getJsonArray("turns").getJsonObject(0).getString("response")).isEqualTo("echo: " + prompt);

    List<JsonObject> events = fixture.db().events("thread:" + thread);
    assertThat(events).allSatisfy(draft -> assertThatCode(() -> DraftEvent.fromJson(draft))
        .as(draft.getString("event_type")).doesNotThrowAnyException());
    JsonObject requested = events.get(0).getJsonObject("payload");
    assertThat(requested.getBoolean("prompt_truncated")).isTrue();
    assertThat(prompt).startsWith(requested.getString("prompt"));
    JsonObject responded = events.get(events.size() - 1).getJsonObject("payload");
    assertThat(responded.getBoolean("prompt_truncated")).isTrue();
    assertThat(responded.getBoolean("response_truncated")).isTrue();
    String streamed = events.stream().filter(e -> e.getString("event_type").equals("chat.activity.appended"))
        .map(e -> e.getJsonObject("payload").getString("delta")).collect(Collectors.joining());
    assertThat(streamed).isEqualTo("echo: " + prompt);
  }

  @Test
  @DisplayName("a second turn carries the thread's history to the model")
  void historyIsSent() {
    long thread = TaskDatabase.await(Chats.createThread(fixture.db().pool, "t")).getLong("id");
    long first = submit(thread, "first", new JsonObject()).getLong("id");
    awaitTurn(thread, first, "responded");
    JsonObject second = submit(thread, "second", new JsonObject());
    JsonObject task = fixture.db().task(second.getLong("task_id")).spec().params();
    assertThat(task.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("content")).toList())
        .containsExactly("first", "echo: first", "second");
  }

  @Test
  @DisplayName("a turn whose provider cannot answer ends chat.turn.failed with the reason")
  void turnFails() {
    long thread = TaskDatabase.await(Chats.createThread(fixture.db().pool, "t")).getLong("id");
    long turn = submit(thread, "hello", new JsonObject().put("provider", "openai")).getLong("id");
    JsonObject history = awaitTurn(thread, turn, "failed");
    assertThat(history.getJsonArray("turns").getJsonObject(0).getString("error")).contains("STUDIO_LLM_BASE_URL");
    List<JsonObject> events = fixture.db().events("thread:" + thread);
    assertThat(events.get(events.size() - 1).getString("event_type")).isEqualTo("chat.turn.failed");
  }
}

package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import studio.contract.envelope.DraftEvent;
import studio.runtime.egress.EgressConfig;
import studio.tasks.support.TaskDatabase;
import studio.tasks.support.TaskFixture;
import studio.taskstore.RuntimeMetadata;
import studio.taskstore.Signals;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskStatus;
import studio.taskstore.TaskTransitions;

/** Each executor end to end: spec in the queue, a real runner, the outcome and events in PostgreSQL. */
class ExecutorsTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();
  private Vertx runnerVertx;

  private void runner(Map<String, Object> extra) {
    runnerVertx = fixture.runner(extra);
  }

  /** A runner whose http tasks may reach the local test servers: loopback is refused by default. */
  private void loopbackRunner() {
    runner(Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8"));
  }

  private void shellRunner() {
    runner(Map.of("STUDIO_TASKS_SHELL_ENABLED", "true", "STUDIO_TASKS_WORKSPACE_DIR", "target/task-workspaces",
        "STUDIO_TASKS_LOG_BATCH_INTERVAL", "50ms"));
  }

  private TaskRow run(JsonObject spec) {
    TaskRow task = fixture.db().enqueue(spec);
    Signals.wake(runnerVertx);
    return fixture.db().awaitTask(task.id(), row -> row.status().terminal());
  }

  private static JsonObject spec(String executor, JsonObject params) {
    return new JsonObject().put("executor", executor).put("params", params);
  }

  private static JsonObject shell(String script) {
    return spec("shell", new JsonObject().put("command", new JsonArray(List.of("sh", "-c", script))));
  }

  private List<JsonObject> logLines(long taskId) {
    return fixture.db().events("task:" + taskId).stream()
        .filter(event -> event.getString("event_type").equals("node.task.stage.updated"))
        .flatMap(event -> event.getJsonObject("payload").getJsonArray("log", new JsonArray()).stream())
        .map(JsonObject.class::cast).toList();
  }

  @Test
  @DisplayName("shell: stdout and stderr lines arrive as batched stage events; exit 0 succeeds with the tail")
  void shellSucceeds() {
    shellRunner();
    TaskRow done = run(shell("echo one; echo two >&2; echo three; pwd"));
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.result().getJsonArray("tail").getList()).contains("three");
    assertThat(logLines(done.id())).extracting(line -> line.getString("stream") + ":" + line.getString("line"))
        .contains("stdout:one", "stderr:two", "stdout:three");
    assertThat(logLines(done.id())).anyMatch(line -> line.getString("line").endsWith("task-" + done.id()));
    long lineEvents = fixture.db().events("task:" + done.id()).stream().filter(e -> e.getJsonObject("payload").containsKey("log")).count();
    assertThat(lineEvents).isLessThan(4);
  }

  /** Every event the task wrote passes the hub's draft rules, the 64 KiB size limit included. */
  private void assertEveryEventFits(long taskId) {
    assertThat(fixture.db().events("task:" + taskId)).isNotEmpty().allSatisfy(draft ->
        assertThatCode(() -> DraftEvent.fromJson(draft)).as(draft.getString("event_type")).doesNotThrowAnyException());
  }

  @Test
  @DisplayName("shell: a line longer than an event is previewed and batches are split, so every event fits and no line is lost")
  void shellLongOutputFitsEvents() {
    shellRunner();
    TaskRow done = run(shell("head -c 100000 /dev/zero | tr '\\0' x; echo; "
        + "i=0; while [ $i -lt 300 ]; do i=$((i+1)); printf '%01000d\\n' $i; done"));
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertEveryEventFits(done.id());
    List<JsonObject> lines = logLines(done.id());
    assertThat(lines).hasSize(301);
    assertThat(lines.get(0).getBoolean("line_truncated")).isTrue();
    assertThat(lines.get(0).getString("line")).matches("x+").hasSizeLessThan(100_000);
    assertThat(lines.subList(1, 301)).extracting(line -> Integer.parseInt(line.getString("line")))
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 300).boxed().toList());
    assertThat(lines.subList(1, 301)).allSatisfy(line -> assertThat(line.containsKey("line_truncated")).isFalse());
  }

  @Test
  @DisplayName("shell: an error longer than an event is previewed in the events and kept whole on the task")
  void shellLongErrorFitsEvents() {
    shellRunner();
    TaskRow done = run(shell("head -c 100000 /dev/zero | tr '\\0' x >&2; echo >&2; exit 1"));
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error()).endsWith("x".repeat(100_000));
    assertEveryEventFits(done.id());
    JsonObject completed = fixture.db().events("task:" + done.id()).stream()
        .filter(event -> event.getString("event_type").equals("node.task.completed")).findFirst().orElseThrow()
        .getJsonObject("payload");
    assertThat(completed.getBoolean("error_truncated")).isTrue();
    assertThat(completed.getString("error")).startsWith("exit code 1: xxx");
  }

  @Test
  @DisplayName("shell: only allowlisted environment variables and the spec's own reach the process")
  void shellEnvironment() {
    shellRunner();
    JsonObject spec = shell("echo \"secret=${DATABASE_URL:-none} mine=$MINE\"");
    spec.getJsonObject("params").put("env", new JsonObject().put("MINE", "yes"));
    TaskRow done = run(spec);
    assertThat(done.result().getJsonArray("tail").getList()).containsExactly("secret=none mine=yes");
  }

  @Test
  @DisplayName("shell: a non-zero exit fails at once with the exit code, without retries")
  void shellExitCode() {
    shellRunner();
    TaskRow done = run(shell("echo broken >&2; exit 3"));
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error()).contains("exit code 3").contains("broken");
    assertThat(done.attempts()).isEqualTo(1);
    // The last line is in the stage log too: before, the end of the stream could overtake it and the task
    // was finished first (2 runs in 8 under load), dropping the line.
    assertThat(logLines(done.id())).extracting(line -> line.getString("stream") + ":" + line.getString("line"))
        .contains("stderr:broken");
  }

  @Test
  @DisplayName("shell: a command past its timeout is killed and the task fails saying so")
  void shellTimeout() {
    shellRunner();
    JsonObject spec = shell("sleep 600");
    spec.getJsonObject("params").put("timeout_ms", 500);
    TaskRow done = run(spec);
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error()).contains("timed out");
  }

  @Test
  @DisplayName("shell: cancel of a running command kills the process and the task ends cancelled")
  void shellCancel() {
    shellRunner();
    TaskRow task = fixture.db().enqueue(shell("echo started; exec sleep 600"));
    Signals.wake(runnerVertx);
    await().atMost(Duration.ofSeconds(60)).until(() -> logLines(task.id()).stream()
        .anyMatch(line -> line.getString("line").equals("started")));
    long pid = fixture.db().events("task:" + task.id()).stream().map(e -> e.getJsonObject("payload"))
        .filter(p -> p.containsKey("pid")).findFirst().orElseThrow().getLong("pid");
    Signals.cancel(runnerVertx, TaskDatabase.await(TaskTransitions.cancel(fixture.db().pool, task.id())).cancelSignals());
    TaskRow done = fixture.db().awaitTask(task.id(), row -> row.status().terminal());
    assertThat(done.status()).isEqualTo(TaskStatus.CANCELLED);
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  @DisplayName("shell: refused with a clear reason on a runner where shell tasks are not enabled")
  void shellDisabled() {
    runner(Map.of());
    TaskRow done = run(shell("echo hi"));
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error()).contains("STUDIO_TASKS_SHELL_ENABLED");
    assertThat(done.attempts()).isEqualTo(1);
  }

  @Test
  @DisplayName("http: one request; status and body become the result")
  void httpSucceeds() {
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer()
        .requestHandler(request -> request.response().putHeader("Content-Type", "text/plain").end("hello " + request.method()))
        .listen(0, "127.0.0.1"));
    loopbackRunner();
    TaskRow done = run(spec("http", new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/x")
        .put("method", "POST").put("body", "{}")));
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.result().getInteger("status")).isEqualTo(200);
    assertThat(done.result().getString("body")).isEqualTo("hello POST");
  }

  @Test
  @DisplayName("http: a 503 is retried with backoff up to max_attempts, then the task fails with the reason")
  void httpRetriesThenFails() {
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer()
        .requestHandler(request -> request.response().setStatusCode(503).end()).listen(0, "127.0.0.1"));
    loopbackRunner();
    TaskRow done = run(spec("http", new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/"))
        .put("max_attempts", 3));
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.attempts()).isEqualTo(3);
    assertThat(done.error()).contains("HTTP 503");
    assertThat(fixture.db().events("task:" + done.id())).extracting(e -> e.getJsonObject("payload").getString("stage"))
        .filteredOn("retrying"::equals).hasSize(2);
  }

  @Test
  @DisplayName("http: redirects are followed hop by hop; a 303 after a POST is a GET without the body; "
      + "credentials stay with their origin")
  void httpFollowsRedirects() {
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer other = TaskDatabase.await(fixture.vertx().createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      seen.add("other " + request.method() + " " + request.path() + " auth=" + request.getHeader("Authorization"));
      request.response().end("landed");
    })).listen(0, "127.0.0.1"));
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      seen.add(request.method() + " " + request.path() + " body=" + body + " auth=" + request.getHeader("Authorization"));
      switch (request.path()) {
        case "/submit" -> request.response().setStatusCode(303).putHeader("Location", "/next").end("see " + "x".repeat(100_000));
        case "/next" -> request.response().setStatusCode(307)
            .putHeader("Location", "http://127.0.0.1:" + other.actualPort() + "/final").end();
        default -> request.response().setStatusCode(404).end();
      }
    })).listen(0, "127.0.0.1"));
    loopbackRunner();
    TaskRow done = run(spec("http", new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/submit")
        .put("method", "POST").put("body", "{\"a\":1}").put("headers", new JsonObject().put("Authorization", "Bearer t"))));
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.result().getString("body")).isEqualTo("landed");
    assertThat(seen).containsExactly("POST /submit body={\"a\":1} auth=Bearer t", "GET /next body= auth=Bearer t",
        "other GET /final auth=null");
  }

  @Test
  @DisplayName("http: a redirect loop fails the task for good after STUDIO_TASKS_HTTP_MAX_REDIRECTS hops")
  void httpRedirectLoop() {
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer()
        .requestHandler(request -> request.response().setStatusCode(302).putHeader("Location", "/loop").end())
        .listen(0, "127.0.0.1"));
    runner(Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8", TasksConfig.HTTP_MAX_REDIRECTS, "3"));
    TaskRow done = run(spec("http", new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/loop")));
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error()).contains("too many redirects (more than 3)");
    assertThat(done.attempts()).isEqualTo(1);
  }

  @Test
  @DisplayName("http: cancel aborts a request the server never answers")
  void httpCancel() {
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer().requestHandler(request -> { }).listen(0, "127.0.0.1"));
    loopbackRunner();
    TaskRow task = fixture.db().enqueue(spec("http", new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/")));
    Signals.wake(runnerVertx);
    fixture.db().awaitTask(task.id(), row -> "requesting".equals(row.stage()));
    Signals.cancel(runnerVertx, TaskDatabase.await(TaskTransitions.cancel(fixture.db().pool, task.id())).cancelSignals());
    assertThat(fixture.db().awaitTask(task.id(), row -> row.status().terminal()).status()).isEqualTo(TaskStatus.CANCELLED);
  }

  @Test
  @DisplayName("llm echo: streamed text in batches adds up to the answer; runtime names the provider")
  void llmEcho() {
    runner(Map.of("STUDIO_LLM_ECHO_TOKEN_DELAY", "5ms"));
    TaskRow done = run(spec("llm", new JsonObject().put("prompt", "hello brave new world of streaming tokens")));
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.result().getString("content")).isEqualTo("echo: hello brave new world of streaming tokens");
    String streamed = fixture.db().events("task:" + done.id()).stream().map(e -> e.getJsonObject("payload"))
        .filter(p -> p.containsKey("delta")).map(p -> p.getString("delta")).collect(Collectors.joining());
    assertThat(streamed).isEqualTo(done.result().getString("content"));
    JsonObject runtime = RuntimeMetadata.of(done);
    assertThat(runtime.getString("selected_provider")).isEqualTo("echo");
    assertThat(runtime.getString("final_provider")).isEqualTo("echo");
    assertThat(runtime.getString("dispatch_status")).isEqualTo("completed");
    assertThat(runtime.getBoolean("fallback_attempted")).isFalse();
  }

  @Test
  @DisplayName("llm: an answer longer than an event streams in pieces that each fit and add up to the answer")
  void llmLongAnswerFitsEvents() {
    runner(Map.of("STUDIO_LLM_ECHO_TOKEN_DELAY", "1ms"));
    String prompt = "y".repeat(70_000);
    TaskRow done = run(spec("llm", new JsonObject().put("prompt", prompt)));
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertEveryEventFits(done.id());
    String streamed = fixture.db().events("task:" + done.id()).stream().map(e -> e.getJsonObject("payload"))
        .filter(p -> p.containsKey("delta")).map(p -> p.getString("delta")).collect(Collectors.joining());
    assertThat(streamed).isEqualTo("echo: " + prompt);
  }

  @Test
  @DisplayName("llm openai: a streaming /v1/chat/completions answer is read event by event")
  void llmOpenAi() {
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      JsonObject asked = body.toJsonObject();
      request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
      for (String piece : List.of("Hel", "lo ", asked.getString("model"))) {
        request.response().write("data: " + new JsonObject().put("choices", new JsonArray()
            .add(new JsonObject().put("delta", new JsonObject().put("content", piece)))).encode() + "\n\n");
      }
      request.response().end("data: [DONE]\n\n");
    })).listen(0, "127.0.0.1"));
    runner(Map.of("STUDIO_LLM_BASE_URL", "http://127.0.0.1:" + server.actualPort(), "STUDIO_LLM_API_KEY", "k"));
    TaskRow done = run(spec("llm", new JsonObject().put("prompt", "hi").put("provider", "openai").put("model", "m1")));
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.result().getString("content")).isEqualTo("Hello m1");
    assertThat(done.runtime().getString("final_provider")).isEqualTo("openai");
  }

  @Test
  @DisplayName("llm: when the selected provider fails before any text, the fallback answers and the runtime says why")
  void llmFallback() {
    runner(Map.of("STUDIO_LLM_BASE_URL", "http://127.0.0.1:9", "STUDIO_LLM_FALLBACK_PROVIDER", "echo",
        "STUDIO_LLM_ECHO_TOKEN_DELAY", "1ms"));
    TaskRow done = run(spec("llm", new JsonObject().put("prompt", "fallback please").put("provider", "openai"))
        .put("max_attempts", 1));
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.result().getString("content")).isEqualTo("echo: fallback please");
    JsonObject completed = fixture.db().events("task:" + done.id()).stream()
        .filter(event -> event.getString("event_type").equals("node.task.completed")).findFirst().orElseThrow();
    JsonObject runtime = completed.getJsonObject("runtime");
    assertThat(runtime.getString("selected_provider")).isEqualTo("openai");
    assertThat(runtime.getString("final_provider")).isEqualTo("echo");
    assertThat(runtime.getBoolean("fallback_attempted")).isTrue();
    assertThat(runtime.getString("fallback_reason")).isNotBlank();
    assertThat(runtime.getString("dispatch_status")).isEqualTo("completed");
  }

  @Test
  @DisplayName("every executor's every task event carries the five runtime fields, null where they do not apply")
  void everyExecutorCarriesRuntimeFields() {
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer()
        .requestHandler(request -> request.response().end("ok")).listen(0, "127.0.0.1"));
    runner(Map.of("STUDIO_TASKS_SHELL_ENABLED", "true", "STUDIO_TASKS_WORKSPACE_DIR", "target/task-workspaces",
        EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8", "STUDIO_LLM_ECHO_TOKEN_DELAY", "1ms"));
    Map<String, JsonObject> specs = Map.of(
        "noop", spec("noop", new JsonObject()),
        "sleep", spec("sleep", new JsonObject().put("duration_ms", 5)),
        "shell", shell("echo hi"),
        "http", spec("http", new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/")),
        "llm", spec("llm", new JsonObject().put("prompt", "hi")));
    specs.forEach((executor, spec) -> {
      TaskRow done = run(spec);
      assertThat(done.status()).as(executor + ": " + done.error()).isEqualTo(TaskStatus.SUCCEEDED);
      List<JsonObject> events = fixture.db().events("task:" + done.id());
      assertThat(events).as(executor).extracting(event -> event.getString("event_type"))
          .contains("node.task.updated", "node.task.completed");
      assertThat(events).as(executor).allSatisfy(event -> assertThat(event.getJsonObject("runtime").fieldNames())
          .contains("selected_provider", "final_provider", "dispatch_status", "fallback_attempted", "fallback_reason"));
      assertThat(events).extracting(event -> event.getJsonObject("runtime").getString("dispatch_status"))
          .as(executor).startsWith("pending", "dispatched").endsWith("completed");
      JsonObject last = events.get(events.size() - 1).getJsonObject("runtime");
      assertThat(last.getString("executor")).isEqualTo(executor);
      // Only an llm task has a provider, chosen once its executor starts (the claim's event has none yet).
      String provider = executor.equals("llm") ? "echo" : null;
      assertThat(last.getString("selected_provider")).as(executor).isEqualTo(provider);
      assertThat(last.getString("final_provider")).as(executor).isEqualTo(provider);
      assertThat(events).as(executor).allSatisfy(event -> {
        JsonObject runtime = event.getJsonObject("runtime");
        if (provider == null) {
          assertThat(runtime.getString("selected_provider")).isNull();
          assertThat(runtime.getString("final_provider")).isNull();
        }
        assertThat(runtime.getBoolean("fallback_attempted")).isFalse();
        assertThat(runtime.getString("fallback_reason")).isNull();
      });
    });
  }

  @Test
  @DisplayName("llm: a provider that keeps failing opens its circuit; the next task does not call it and the fallback answers at once")
  void llmCircuitOpensAndFallbackAnswers() {
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer().requestHandler(request -> {
      hits.incrementAndGet();
      request.response().setStatusCode(503).end("overloaded");
    }).listen(0, "127.0.0.1"));
    runner(Map.of("STUDIO_LLM_BASE_URL", "http://127.0.0.1:" + server.actualPort(), "STUDIO_LLM_FALLBACK_PROVIDER", "echo",
        "STUDIO_LLM_ECHO_TOKEN_DELAY", "1ms", "STUDIO_BREAKER_MAX_FAILURES", "2", "STUDIO_BREAKER_RESET_TIMEOUT", "1m"));
    JsonObject spec = spec("llm", new JsonObject().put("prompt", "hi").put("provider", "openai")).put("max_attempts", 1);
    for (int i = 0; i < 2; i++) {
      TaskRow done = run(spec);
      assertThat(done.runtime().getString(RuntimeMetadata.FALLBACK_REASON)).contains("HTTP 503");
    }
    assertThat(hits).hasValue(2);
    TaskRow refused = run(spec);
    assertThat(refused.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(refused.result().getString("content")).isEqualTo("echo: hi");
    assertThat(refused.runtime().getString(RuntimeMetadata.FALLBACK_REASON))
        .startsWith("provider_unavailable: circuit open for llm openai");
    assertThat(hits).as("the open circuit kept the call from the provider").hasValue(2);
  }

  @Test
  @DisplayName("http: a host that keeps failing opens its circuit; the next task fails at once with the reason, without calling it")
  void httpCircuitOpens() {
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = TaskDatabase.await(fixture.vertx().createHttpServer().requestHandler(request -> {
      hits.incrementAndGet();
      request.response().setStatusCode(502).end();
    }).listen(0, "127.0.0.1"));
    runner(Map.of(EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8", "STUDIO_BREAKER_MAX_FAILURES", "2",
        "STUDIO_BREAKER_RESET_TIMEOUT", "1m"));
    JsonObject spec = spec("http", new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/x"))
        .put("max_attempts", 1);
    assertThat(run(spec).error()).contains("HTTP 502");
    assertThat(run(spec).error()).contains("HTTP 502");
    TaskRow refused = run(spec);
    assertThat(refused.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(refused.error()).startsWith("provider_unavailable: circuit open for http 127.0.0.1:" + server.actualPort());
    assertThat(hits).hasValue(2);
  }
}

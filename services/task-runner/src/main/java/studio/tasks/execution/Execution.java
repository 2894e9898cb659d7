package studio.tasks.execution;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.envelope.Preview;
import studio.tasks.TasksConfig;
import studio.taskstore.Chats;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskTransitions;

/**
 * One attempt at one task, as an executor sees it: the spec's params, a cancel signal, and ways to
 * report progress. Progress writes (stages, batched output lines, batched streamed text) go to
 * PostgreSQL one after another, so their events keep the order they were reported in. Used on the
 * runner's event loop only; executors that work on other threads hop back with {@link #onContext}.
 */
public final class Execution {
  private static final Logger LOG = LoggerFactory.getLogger(Execution.class);
  private static final int MAX_LINES_PER_EVENT = 200;
  private final Vertx vertx;
  private final Context context;
  private final Pool pool;
  private final String owner;
  private final TaskRow task;
  private final TasksConfig config;
  private final JsonObject runtime;
  private final Promise<String> cancelled = Promise.promise();
  private final List<JsonObject> pendingLines = new ArrayList<>();
  private int pendingLineBytes;
  private final StringBuilder pendingText = new StringBuilder();
  private Future<Void> writes = Future.succeededFuture();
  private String stage = "starting";
  private boolean releasing;
  private boolean leaseLost;
  private long lineTimer = -1;
  private long textTimer = -1;
  private int textIndex;

  public Execution(Vertx vertx, Pool pool, String owner, TaskRow task, TasksConfig config) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.pool = pool;
    this.owner = owner;
    this.task = task;
    this.config = config;
    this.runtime = task.runtime() == null ? new JsonObject() : task.runtime().copy();
  }

  public TaskRow task() {
    return task;
  }

  public JsonObject params() {
    return task.spec().params();
  }

  public Vertx vertx() {
    return vertx;
  }

  public TasksConfig config() {
    return config;
  }

  /** The stored runtime block of this task; executors record providers and fallback in it through {@link studio.taskstore.RuntimeMetadata}. */
  public JsonObject runtime() {
    return runtime;
  }

  /** Completes (with the reason) when the task must stop: cancelled, the runner stopping, the lease lost. */
  public Future<String> cancelled() {
    return cancelled.future();
  }

  public boolean isCancelled() {
    return cancelled.future().isComplete();
  }

  public void cancel(String reason) {
    cancelled.tryComplete(reason);
  }

  /** The runner is stopping: stop, and hand the task back to the queue rather than ending it. */
  public void release() {
    releasing = true;
    cancel("runner " + owner + " stopping");
  }

  public boolean releasing() {
    return releasing;
  }

  /** Another runner holds the task now (a renewal found it gone): stop, and store nothing more. */
  public void loseLease() {
    leaseLost = true;
    cancel("lease lost");
  }

  public boolean leaseLost() {
    return leaseLost;
  }

  public void onContext(Runnable action) {
    context.runOnContext(ignored -> action.run());
  }

  public void stage(String name) {
    stage(name, null);
  }

  /** A named stage; lines reported before it are written first. */
  public void stage(String name, JsonObject detail) {
    flushLines();
    stage = name;
    JsonObject snapshot = runtime.copy();
    write(() -> TaskTransitions.stage(pool, task.id(), owner, name, detail, snapshot).mapEmpty());
  }

  /**
   * One output line; lines are written in batches, every {@code STUDIO_TASKS_LOG_BATCH_INTERVAL}. A
   * batch closes early when it would outgrow an event ({@link Preview#MAX_BATCH_BYTES}); a line
   * longer than a preview is cut ({@code line_truncated}); its rest is not kept.
   */
  public void log(String stream, String line) {
    JsonObject entry = Preview.putText(new JsonObject().put("stream", stream), "line", line);
    int bytes = Preview.encodedBytes(entry) + 1;
    if (pendingLineBytes + bytes > Preview.MAX_BATCH_BYTES) {
      flushLines();
    }
    pendingLines.add(entry);
    pendingLineBytes += bytes;
    if (pendingLines.size() >= MAX_LINES_PER_EVENT) {
      flushLines();
    } else if (lineTimer == -1) {
      lineTimer = vertx.setTimer(config.queue().logBatchInterval().toMillis(), fired -> {
        lineTimer = -1;
        flushLines();
      });
    }
  }

  /**
   * Streamed model text, batched every {@code STUDIO_LLM_STREAM_BATCH}: a chat turn's task appends it
   * to the turn ({@code chat.activity.appended}); any other task reports it as stage output.
   */
  public void stream(String delta) {
    pendingText.append(delta);
    if (textTimer == -1) {
      textTimer = vertx.setTimer(config.llm().streamBatch().toMillis(), fired -> {
        textTimer = -1;
        flushText();
      });
    }
  }

  /** Writes what is still buffered; completes when every progress write so far is done. */
  public Future<Void> flush() {
    flushLines();
    flushText();
    return writes;
  }

  private void flushLines() {
    vertx.cancelTimer(lineTimer);
    lineTimer = -1;
    if (pendingLines.isEmpty()) {
      return;
    }
    JsonObject detail = new JsonObject().put("log", new JsonArray(new ArrayList<>(pendingLines)));
    pendingLines.clear();
    pendingLineBytes = 0;
    String current = stage;
    JsonObject snapshot = runtime.copy();
    write(() -> TaskTransitions.stage(pool, task.id(), owner, current, detail, snapshot).mapEmpty());
  }

  private void flushText() {
    vertx.cancelTimer(textTimer);
    textTimer = -1;
    if (pendingText.length() == 0) {
      return;
    }
    String text = pendingText.toString();
    pendingText.setLength(0);
    // A batch bigger than an event goes out as several, in order; together they are the whole text.
    for (String delta : Preview.chunks(text, Preview.MAX_BATCH_BYTES)) {
      int index = textIndex++;
      if (task.chatTurnId() != null) {
        write(() -> Chats.appendActivity(pool, task.chatTurnId(), task.id(), delta, index));
      } else {
        JsonObject detail = new JsonObject().put("delta", delta).put("index", index);
        write(() -> TaskTransitions.stage(pool, task.id(), owner, "streaming", detail, null).mapEmpty());
      }
    }
  }

  private void write(Supplier<Future<Void>> next) {
    writes = writes.transform(previous -> next.get()).recover(failure -> {
      LOG.warn("task {}: progress not recorded: {}", task.id(), failure.getMessage());
      return Future.succeededFuture();
    });
  }
}

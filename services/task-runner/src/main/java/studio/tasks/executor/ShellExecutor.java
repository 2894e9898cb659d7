package studio.tasks.executor;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import studio.tasks.TasksConfig;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;
import studio.taskstore.ExecutorKind;

/**
 * Runs a command (no shell parsing: {@code params.command} is the argument vector) in the task's own
 * workspace directory, with only allowlisted environment variables, a timeout and an output cap.
 * Output lines become batched stage events. Starting the process and reading its pipes block, so
 * they run on this executor's own worker threads; the process tree is killed on cancel or timeout.
 * Off unless {@code STUDIO_TASKS_SHELL_ENABLED=true}: it executes whatever the task says.
 */
public final class ShellExecutor implements Executor {
  private static final int TAIL_LINES = 20;
  private final Vertx vertx;
  private final TasksConfig.Shell config;
  private final WorkerExecutor threads;

  public ShellExecutor(Vertx vertx, TasksConfig.Shell config, int concurrency) {
    this.vertx = vertx;
    this.config = config;
    // Three blocking jobs per running command: start, stdout, stderr.
    this.threads = vertx.createSharedWorkerExecutor("studio-tasks-shell", concurrency * 3 + 1);
  }

  @Override
  public ExecutorKind kind() {
    return ExecutorKind.SHELL;
  }

  @Override
  public Future<JsonObject> execute(Execution execution) {
    if (!config.enabled()) {
      return Future.failedFuture(TaskFailure.permanent(
          "shell tasks are disabled on this runner (set STUDIO_TASKS_SHELL_ENABLED=true to allow them)"));
    }
    List<String> command = execution.params().getJsonArray("command").stream().map(String::valueOf).toList();
    long timeout = Math.min(execution.params().getLong("timeout_ms", Long.MAX_VALUE), config.timeout().toMillis());
    Path workspace = config.workspaceDir().resolve("task-" + execution.task().id()).toAbsolutePath();
    execution.stage("preparing", new JsonObject().put("workspace", workspace.toString()));
    return vertx.fileSystem().mkdirs(workspace.toString())
        .compose(created -> threads.executeBlocking(() -> start(command, workspace, execution.params()), false))
        .recover(failure -> Future.failedFuture(failure instanceof TaskFailure ? failure
            : TaskFailure.permanent("could not start " + command.get(0) + ": " + failure.getMessage())))
        .compose(process -> supervise(execution, process, timeout));
  }

  private Process start(List<String> command, Path workspace, JsonObject params) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workspace.toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    config.envAllowlist().forEach(name -> {
      String value = System.getenv(name);
      if (value != null) {
        env.put(name, value);
      }
    });
    params.getJsonObject("env", new JsonObject()).forEach(entry -> env.put(entry.getKey(), String.valueOf(entry.getValue())));
    return builder.start();
  }

  private Future<JsonObject> supervise(Execution execution, Process process, long timeout) {
    execution.stage("running", new JsonObject().put("pid", process.pid()));
    AtomicLong budget = new AtomicLong(config.outputMax());
    AtomicBoolean truncated = new AtomicBoolean();
    Deque<String> tail = new ArrayDeque<>();
    AtomicBoolean timedOut = new AtomicBoolean();
    Future<Void> stdout = pumped(process.getInputStream(), "stdout", execution, budget, truncated, tail);
    Future<Void> stderr = pumped(process.getErrorStream(), "stderr", execution, budget, truncated, tail);
    Future<Integer> exit = Future.fromCompletionStage(process.onExit(), vertx.getOrCreateContext()).map(Process::exitValue);
    long timer = vertx.setTimer(Math.max(1, timeout), fired -> {
      timedOut.set(true);
      kill(process);
    });
    execution.cancelled().onSuccess(reason -> kill(process));
    return Future.join(exit, stdout, stderr).transform(finished -> {
      vertx.cancelTimer(timer);
      if (execution.isCancelled()) {
        return Future.failedFuture(TaskFailure.permanent(execution.cancelled().result()));
      }
      if (timedOut.get()) {
        return Future.failedFuture(TaskFailure.permanent("timed out after " + timeout + " ms; the process was killed"));
      }
      int code = exit.result();
      List<String> lastLines;
      synchronized (tail) {
        lastLines = List.copyOf(tail);
      }
      if (code != 0) {
        String last = lastLines.isEmpty() ? "" : ": " + lastLines.get(lastLines.size() - 1);
        return Future.failedFuture(TaskFailure.permanent("exit code " + code + last));
      }
      return Future.succeededFuture(new JsonObject().put("exit_code", code).put("output_truncated", truncated.get())
          .put("tail", new JsonArray(lastLines)));
    });
  }

  /**
   * Reads {@code stream} on a worker thread; completes once every line it read has been logged. The
   * end is handed over like the lines ({@link Execution#onContext}), behind them: Vert.x delivers a
   * blocking call's result by another path, which could overtake the last lines, so the task was
   * finished (and its progress flushed) before they were logged, and they were lost.
   */
  private Future<Void> pumped(InputStream stream, String name, Execution execution, AtomicLong budget,
                              AtomicBoolean truncated, Deque<String> tail) {
    Promise<Void> logged = Promise.promise();
    threads.executeBlocking(() -> pump(stream, name, execution, budget, truncated, tail), false)
        .onComplete(read -> execution.onContext(() -> logged.handle(read)));
    return logged.future();
  }

  /** Blocking: reads lines until the pipe closes; past the cap, lines are drained but not recorded. */
  private static Void pump(InputStream stream, String name, Execution execution, AtomicLong budget,
                           AtomicBoolean truncated, Deque<String> tail) throws IOException {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (budget.addAndGet(-(line.length() + 1L)) < 0) {
          truncated.set(true);
          continue;
        }
        String recorded = line;
        synchronized (tail) {
          tail.addLast(recorded);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
        execution.onContext(() -> execution.log(name, recorded));
      }
    }
    return null;
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  @Override
  public Future<Void> close() {
    return threads.close();
  }
}

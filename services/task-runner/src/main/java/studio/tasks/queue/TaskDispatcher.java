package studio.tasks.queue;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.Addresses;
import studio.tasks.TasksConfig;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;
import studio.tasks.executor.Executors;
import studio.taskstore.Signals;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskStatus;
import studio.taskstore.TaskTransitions;
import studio.runtime.database.DatabaseFailures;
import studio.runtime.retry.Backoff;
import studio.taskstore.Transactions;
import studio.taskstore.TaskUpdate;

/**
 * Keeps up to {@code STUDIO_TASKS_CONCURRENCY} tasks running: claims when woken (event bus), when a
 * slot frees and on a slow poll; renews its leases; reclaims expired ones; stops a task when asked
 * over the bus or when its row says so. All of it on the runner's event loop; executors that need
 * threads bring their own.
 */
public final class TaskDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(TaskDispatcher.class);
  private static final int RECLAIM_BATCH = 50;
  private final Vertx vertx;
  private final Pool pool;
  private final TasksConfig config;
  private final TaskQueue queue;
  private final Executors executors;
  private final Backoff backoff;
  private final Map<Long, Running> running = new LinkedHashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private boolean claiming;
  private boolean wakeAgain;
  private boolean stopped;
  private long pollTimer = -1;
  private long renewTimer = -1;

  private record Running(Execution execution, Future<Void> done) {
  }

  public TaskDispatcher(Vertx vertx, Pool pool, TasksConfig config, String owner, Executors executors) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.queue = new TaskQueue(pool, owner, config.queue().lease());
    this.executors = executors;
    this.backoff = Backoff.exponential(config.queue().retryBackoff(), config.queue().retryBackoffMax());
  }

  public Future<Void> start() {
    consumers.add(vertx.eventBus().consumer(Addresses.TASKS_WAKE, message -> wake()));
    consumers.add(vertx.eventBus().consumer(Addresses.TASKS_CANCEL, message -> cancel(message.body())));
    pollTimer = vertx.setPeriodic(config.queue().pollInterval().toMillis(), tick -> {
      reclaimExpired();
      wake();
    });
    renewTimer = vertx.setPeriodic(config.queue().renewInterval().toMillis(), tick -> renewLeases());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(ready -> wake())
        .mapEmpty();
  }

  /** Stops claiming, stops every running task and hands it back to the queue, within {@code grace}. */
  public Future<Void> stop(Duration grace) {
    stopped = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(renewTimer);
    consumers.forEach(MessageConsumer::unregister);
    List<Future<Void>> finishing = running.values().stream().map(Running::done).toList();
    running.values().forEach(task -> task.execution().release());
    Promise<Void> deadline = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, grace.toMillis()), fired -> deadline.tryComplete());
    Future.join(finishing).onComplete(done -> {
      vertx.cancelTimer(timer);
      deadline.tryComplete();
    });
    return deadline.future();
  }

  /** What this runner is doing, for its heartbeat. */
  public JsonObject details() {
    JsonArray tasks = new JsonArray();
    running.values().forEach(task -> tasks.add(new JsonObject().put("task_id", task.execution().task().id())
        .put("executor", task.execution().task().executor().wire())
        .put("attempt", task.execution().task().attempts())));
    return new JsonObject().put("runner", queue.owner()).put("concurrency", config.queue().concurrency())
        .put("running", tasks);
  }

  public void wake() {
    if (stopped) {
      return;
    }
    if (claiming) {
      wakeAgain = true;
      return;
    }
    int free = config.queue().concurrency() - running.size();
    if (free <= 0) {
      return;
    }
    claiming = true;
    wakeAgain = false;
    queue.claim(free).onComplete(claimed -> {
      claiming = false;
      if (claimed.failed()) {
        LOG.warn("claiming tasks failed (retrying at the next poll): {}", claimed.cause().getMessage());
        return;
      }
      claimed.result().forEach(this::launch);
      if (wakeAgain) {
        wake();
      }
    });
  }

  private void launch(TaskRow task) {
    Execution execution = new Execution(vertx, pool, queue.owner(), task, config);
    Future<Void> done = TaskTransitions.started(pool, task)
        .compose(announced -> execution.isCancelled() ? Future.failedFuture(TaskFailure.permanent("cancelled"))
            : executors.get(task.executor()).execute(execution))
        .transform(result -> execution.flush().transform(flushed -> finish(execution, result)));
    running.put(task.id(), new Running(execution, done));
    done.onComplete(finished -> {
      running.remove(task.id());
      wake();
    });
  }

  private Future<Void> finish(Execution execution, AsyncResult<io.vertx.core.json.JsonObject> result) {
    long id = execution.task().id();
    return store(execution, result, 1)
        .onSuccess(outcome -> {
          Signals.cancel(vertx, outcome.cancelSignals());
          if (outcome.task() != null && outcome.task().flowchartRunId() != null) {
            Signals.wake(vertx);
          }
        })
        .onFailure(failure -> LOG.warn("task {}: outcome not recorded ({}); its lease will expire and another "
            + "attempt will run", id, failure.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /**
   * Dropping an outcome the database failed to take would run the task again once its lease
   * expired, so a store that may pass later (the database restarting or unreachable) is tried again
   * with backoff for as long as this runner holds the task. The lease stays renewed meanwhile: the
   * task is in {@code running} until this completes. {@link #decide} looks at the fresh row on every
   * try, so a store that lands after another runner took the task over changes nothing.
   */
  private Future<TaskTransitions.Outcome> store(Execution execution, AsyncResult<io.vertx.core.json.JsonObject> result,
                                                int attempt) {
    return TaskTransitions.change(pool, execution.task(), row -> decide(row, execution, result))
        .recover(failure -> {
          if (stopped || execution.leaseLost() || !DatabaseFailures.mayPassLater(failure)) {
            return Future.failedFuture(failure);
          }
          Duration delay = backoff.delay(attempt);
          LOG.warn("task {}: outcome not recorded ({}); trying again in {} ms while the lease holds",
              execution.task().id(), failure.getMessage(), delay.toMillis());
          Promise<Void> waited = Promise.promise();
          vertx.setTimer(Math.max(1, delay.toMillis()), fired -> waited.complete());
          return waited.future().compose(retry -> store(execution, result, attempt + 1));
        });
  }

  private TaskUpdate decide(TaskRow row, Execution execution, AsyncResult<io.vertx.core.json.JsonObject> result) {
    if (row.status() != TaskStatus.RUNNING || !queue.owner().equals(row.leaseOwner())) {
      LOG.info("task {}: no longer held by this runner ({}); its outcome is dropped", row.id(), row.status().wire());
      return null;
    }
    TaskUpdate update = TaskUpdate.of(row).runtime(execution.runtime());
    if (result.succeeded()) {
      return update.finish(TaskStatus.SUCCEEDED).result(result.result()).error(null);
    }
    if (execution.releasing() && !row.cancelRequested()) {
      return update.requeue(Duration.ZERO).stage("released").error(execution.cancelled().result());
    }
    if (execution.isCancelled() || row.cancelRequested()) {
      return update.finish(TaskStatus.CANCELLED).error(execution.isCancelled() ? execution.cancelled().result()
          : "cancelled on request");
    }
    TaskFailure failure = TaskFailure.of(result.cause());
    if (failure.retryable() && row.attempts() < row.maxAttempts()) {
      return update.requeue(backoff.delay(row.attempts())).error(failure.getMessage());
    }
    return update.finish(TaskStatus.FAILED).error(failure.getMessage());
  }

  private void cancel(JsonObject body) {
    Long id = body == null ? null : body.getLong("task_id");
    Running task = id == null ? null : running.get(id);
    if (task != null) {
      task.execution().cancel("cancelled on request");
    }
  }

  /** A task missing from the renewal is no longer ours (reclaimed after a stall): stop working on it. */
  private void renewLeases() {
    if (running.isEmpty()) {
      return;
    }
    // Only tasks running when the renewal was sent can be missing from its answer for a lost lease:
    // one claimed while it was in flight was simply not asked about.
    Set<Long> asked = Set.copyOf(running.keySet());
    queue.renew().onSuccess(held -> asked.forEach(id -> {
      Running task = running.get(id);
      Boolean cancelRequested = held.get(id);
      if (task == null) {
        return;
      }
      if (cancelRequested == null) {
        LOG.warn("task {}: lease lost (another runner may have taken it); stopping this run", id);
        task.execution().loseLease();
      } else if (Boolean.TRUE.equals(cancelRequested)) {
        task.execution().cancel("cancelled on request");
      }
    })).onFailure(failure -> LOG.warn("lease renewal failed (retrying): {}", failure.getMessage()));
  }

  private void reclaimExpired() {
    queue.expired(RECLAIM_BATCH).onSuccess(ids -> ids.forEach(id -> TaskTransitions.change(pool, id, this::reclaim)
        .onSuccess(outcome -> {
          Signals.cancel(vertx, outcome.cancelSignals());
          if (outcome.changed()) {
            LOG.info("task {}: lease expired; now {}", id, outcome.task().status().wire());
          }
        })
        .onFailure(failure -> LOG.warn("task {}: reclaim failed: {}", id, failure.getMessage()))))
        .onFailure(failure -> LOG.warn("looking for expired leases failed: {}", failure.getMessage()));
  }

  private TaskUpdate reclaim(TaskRow row) {
    if (row.status() != TaskStatus.RUNNING || !row.leaseExpired()) {
      return null;
    }
    String lost = "lease of runner " + row.leaseOwner() + " expired during attempt " + row.attempts();
    if (row.cancelRequested()) {
      return TaskUpdate.of(row).finish(TaskStatus.CANCELLED).error(lost + " after cancel was requested");
    }
    if (row.attempts() >= row.maxAttempts()) {
      return TaskUpdate.of(row).finish(TaskStatus.FAILED).error(lost + " of " + row.maxAttempts());
    }
    return TaskUpdate.of(row).requeue(backoff.delay(row.attempts())).error(lost);
  }
}

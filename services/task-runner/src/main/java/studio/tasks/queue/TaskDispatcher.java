package studio.tasks.queue;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.Addresses;
import studio.runtime.batch.Batcher;
import studio.runtime.database.DatabaseFailures;
import studio.runtime.lease.LeaseState;
import studio.runtime.lease.LeaseWorkLoop;
import studio.runtime.retry.Backoff;
import studio.tasks.TasksConfig;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;
import studio.tasks.executor.Executors;
import studio.taskstore.Signals;
import studio.taskstore.TaskRow;
import studio.taskstore.TaskStatus;
import studio.taskstore.TaskTransitions;
import studio.taskstore.TaskUpdate;

/**
 * Keeps up to {@code STUDIO_TASKS_CONCURRENCY} tasks running through the shared {@link LeaseWorkLoop}
 * (claim when woken, renew leases, cancel over the bus, stop); what is the runner's own: running a
 * task through its executor and recording the outcome, and reclaiming leases that expired. All of it
 * on the runner's event loop; executors that need threads bring their own.
 */
public final class TaskDispatcher implements LeaseWorkLoop.Work<Execution> {
  private static final Logger LOG = LoggerFactory.getLogger(TaskDispatcher.class);
  private static final int RECLAIM_BATCH = 50;
  private final Vertx vertx;
  private final Pool pool;
  private final TasksConfig config;
  private final TaskQueue queue;
  private final Executors executors;
  private final Backoff backoff;
  private final LeaseWorkLoop<Execution> loop;
  private final Batcher<Finished, TaskTransitions.Outcome> finishes;

  /** A run that ended, with what it ended with, waiting for its outcome to be stored. */
  private record Finished(Execution execution, AsyncResult<JsonObject> result) {
  }

  public TaskDispatcher(Vertx vertx, Pool pool, TasksConfig config, String owner, Executors executors) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.queue = new TaskQueue(pool, owner, config.queue().lease());
    this.executors = executors;
    this.backoff = Backoff.exponential(config.queue().retryBackoff(), config.queue().retryBackoffMax());
    this.loop = new LeaseWorkLoop<>(vertx, new LeaseWorkLoop.Settings("task", Addresses.TASKS_WAKE,
        Addresses.TASKS_CANCEL, config.queue().concurrency(), config.queue().pollInterval(),
        config.queue().renewInterval()), this);
    this.finishes = new Batcher<>(vertx.getOrCreateContext(), config.queue().concurrency(), this::storeAll);
  }

  public Future<Void> start() {
    return loop.start();
  }

  /** Stops claiming, stops every running task and hands it back to the queue, within {@code grace}. */
  public Future<Void> stop(Duration grace) {
    return loop.stop(grace);
  }

  /** What this runner is doing, for its heartbeat. */
  public JsonObject details() {
    JsonArray tasks = new JsonArray();
    loop.running().forEach(execution -> tasks.add(new JsonObject().put("task_id", execution.task().id())
        .put("executor", execution.task().executor().wire())
        .put("attempt", execution.task().attempts())));
    return new JsonObject().put("runner", queue.owner()).put("concurrency", config.queue().concurrency())
        .put("running", tasks);
  }

  @Override
  public Future<List<Execution>> claim(int limit) {
    return queue.claim(limit).map(tasks -> tasks.stream().map(this::execution).toList());
  }

  private Execution execution(TaskRow task) {
    return new Execution(vertx, pool, queue.owner(), task, config);
  }

  @Override
  public long id(Execution execution) {
    return execution.task().id();
  }

  @Override
  public Future<Void> run(Execution execution) {
    TaskRow task = execution.task();
    return TaskTransitions.started(pool, task)
        .compose(announced -> execution.isCancelled() ? Future.failedFuture(TaskFailure.permanent("cancelled"))
            : executors.get(task.executor()).execute(execution))
        .transform(result -> execution.flush().transform(flushed -> finish(execution, result)));
  }

  /** The renewal extends every lease this runner holds; a task missing from its answer was reclaimed after a stall. */
  @Override
  public Future<Map<Long, LeaseState>> renew(Set<Long> ids) {
    return queue.renew().map(held -> ids.stream().collect(Collectors.toMap(Function.identity(),
        id -> held.containsKey(id) ? new LeaseState(true, Boolean.TRUE.equals(held.get(id))) : LeaseState.LOST)));
  }

  @Override
  public void cancel(Execution execution) {
    execution.cancel("cancelled on request");
  }

  @Override
  public void leaseLost(Execution execution) {
    LOG.warn("task {}: lease lost (another runner may have taken it); stopping this run", execution.task().id());
    execution.loseLease();
  }

  @Override
  public void release(Execution execution) {
    execution.release();
  }

  @Override
  public void sweep() {
    reclaimExpired();
  }

  private Future<Void> finish(Execution execution, AsyncResult<JsonObject> result) {
    long id = execution.task().id();
    Future<TaskTransitions.Outcome> stored = !TaskTransitions.ownerless(execution.task()) ? store(execution, result, 1)
        : finishes.submit(new Finished(execution, result)).recover(batchFailed -> {
          // Nothing of the batch was committed (or, if the commit's answer was lost, decide sees the
          // stored outcome and changes nothing): each is stored again on its own, with the usual retries.
          LOG.debug("task {}: batched finish failed ({}); storing it on its own", id, batchFailed.getMessage());
          return store(execution, result, 1);
        });
    return stored
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
   * task is running until this completes. {@link #decide} looks at the fresh row on every try, so a
   * store that lands after another runner took the task over changes nothing.
   */
  private Future<TaskTransitions.Outcome> store(Execution execution, AsyncResult<JsonObject> result, int attempt) {
    return TaskTransitions.change(pool, execution.task(), row -> decide(row, execution, result))
        .recover(failure -> {
          if (loop.stopped() || execution.leaseLost() || !DatabaseFailures.mayPassLater(failure)) {
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

  /**
   * The outcomes of runs that ended close together (see {@link Batcher}), stored in one transaction:
   * every task's state and its events commit together, and each runner's future resolves only after
   * that commit.
   */
  private Future<List<TaskTransitions.Outcome>> storeAll(List<Finished> batch) {
    Map<Long, Finished> byId = new HashMap<>();
    batch.forEach(finished -> byId.put(finished.execution().task().id(), finished));
    // The batch frees one slot per task: the same transaction leases as many next tasks, which saves
    // each turn of the runner a claim transaction of its own. Adopted before the batch's runs end, so
    // the claim their ends trigger finds those slots taken (and claims only what this one did not get).
    int next = loop.stopped() ? 0 : batch.size();
    return TaskTransitions.changeAllThenClaim(pool, batch.stream().map(finished -> finished.execution().task()).toList(),
            row -> decide(row, byId.get(row.id()).execution(), byId.get(row.id()).result()),
            tx -> queue.claimIn(tx, next))
        .map(stored -> {
          loop.adopt(stored.claimed().stream().map(this::execution).toList());
          return stored.outcomes();
        });
  }

  private TaskUpdate decide(TaskRow row, Execution execution, AsyncResult<JsonObject> result) {
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

package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Every change of a task's state after it was enqueued goes through here, from web (cancel) or a
 * runner (start, stage, finish, retry, reclaim): lock the task's owner first (its flowchart run, its run or
 * its chat thread), then the task; decide on the fresh row; write it with its events; let the owner
 * react (advance the flowchart run, re-derive the run, answer the turn). One transaction, one lock order, so any number of web
 * and runner processes may change tasks concurrently.
 */
public final class TaskTransitions {
  private TaskTransitions() {
  }

  /** The task after the transaction (null if it does not exist) and the running tasks that must be told to stop. */
  public record Outcome(TaskRow task, boolean changed, List<Long> cancelSignals) {
  }

  /** {@code decide} sees the locked row and returns the change, or null to leave it as it is. */
  public static Future<Outcome> change(Pool pool, long taskId, Function<TaskRow, TaskUpdate> decide) {
    return Transactions.run(pool, tx -> Tasks.find(tx, taskId).compose(peek -> peek == null
        ? Future.succeededFuture(new Outcome(null, false, List.of()))
        : lockAndWrite(tx, peek, decide)));
  }

  /** As {@link #change(Pool, long, Function)}, for a caller that already read the task: its owners never change. */
  public static Future<Outcome> change(Pool pool, TaskRow known, Function<TaskRow, TaskUpdate> decide) {
    return Transactions.run(pool, tx -> lockAndWrite(tx, known, decide));
  }

  /**
   * As {@link #change(Pool, TaskRow, Function)} for several tasks in one transaction: the rows are
   * locked together (in id order), each decided on its fresh row, written in one pipelined batch and
   * their events appended in one insert, all committed together or not at all. Only for tasks that
   * have no owner ({@link #ownerless}): an owner's lock must come before its task's, one task at a time.
   * Answers an outcome per task, in the order of {@code known}.
   */
  public static Future<List<Outcome>> changeAll(Pool pool, List<TaskRow> known, Function<TaskRow, TaskUpdate> decide) {
    return changeAllThenClaim(pool, known, decide, tx -> Future.succeededFuture(List.of())).map(Batch::outcomes);
  }

  /** The outcomes of a {@link #changeAllThenClaim}, in the order of its tasks, and the tasks it claimed. */
  public record Batch(List<Outcome> outcomes, List<TaskRow> claimed) {
  }

  /**
   * As {@link #changeAll}, and then, in the same transaction, {@code claim} leases the next tasks (a
   * runner taking as many as this batch frees, without a transaction of its own): the claimed tasks'
   * {@code node.task.updated} go into the same insert as the batch's events, after them. The claim
   * must not wait on row locks ({@code SKIP LOCKED}): this transaction already holds the batch's rows.
   */
  public static Future<Batch> changeAllThenClaim(Pool pool, List<TaskRow> known, Function<TaskRow, TaskUpdate> decide,
                                                 Function<SqlClient, Future<List<TaskRow>>> claim) {
    if (!known.stream().allMatch(TaskTransitions::ownerless)) {
      return Future.failedFuture(new IllegalArgumentException("changeAll takes tasks without an owner only"));
    }
    return Transactions.run(pool, tx -> Tasks.lockAll(tx, known.stream().map(TaskRow::id).toList())
        .compose(locked -> {
          Map<Long, TaskRow> fresh = new HashMap<>();
          List<TaskUpdate> updates = new ArrayList<>();
          for (TaskRow task : locked) {
            fresh.put(task.id(), task);
            TaskUpdate update = decide.apply(task);
            if (update != null) {
              updates.add(update);
            }
          }
          return Tasks.applyAll(tx, updates).compose(written -> claim.apply(tx)
              .compose(claimed -> TaskEvents.changedThenClaimed(tx, written, claimed).map(claimed))
              .map(claimed -> {
                Map<Long, TaskRow> changed = new HashMap<>();
                written.forEach(task -> changed.put(task.id(), task));
                return new Batch(known.stream().map(task -> changed.containsKey(task.id())
                    ? new Outcome(changed.get(task.id()), true, List.of())
                    : new Outcome(fresh.get(task.id()), false, List.of())).toList(), claimed);
              }));
        }));
  }

  /** A task no flowchart run, run or chat turn owns: its changes lock nothing but its own row. */
  public static boolean ownerless(TaskRow task) {
    return task.flowchartRunId() == null && task.runId() == null && task.chatTurnId() == null;
  }

  private static Future<Outcome> lockAndWrite(SqlClient tx, TaskRow known, Function<TaskRow, TaskUpdate> decide) {
    return Owners.lock(tx, known).compose(owners -> Tasks.lock(tx, known.id()).compose(task -> {
      TaskUpdate update = task == null ? null : decide.apply(task);
      if (update == null) {
        return Future.succeededFuture(new Outcome(task, false, List.of()));
      }
      return write(tx, owners, update);
    }));
  }

  /** A task's row is changed through {@code decide} only while the owner locks in {@code owners} are held. */
  static Future<Outcome> write(SqlClient tx, Owners owners, TaskUpdate update) {
    return Tasks.apply(tx, update)
        .compose(task -> TaskEvents.changed(tx, task).map(task))
        .compose(task -> !update.changesStatus() ? Future.succeededFuture(new Outcome(task, true, List.of()))
            : owners.react(tx, task).map(signals -> new Outcome(task, true, signals)))
        .compose(outcome -> owners.save(tx).map(outcome));
  }

  /** Web's cancel: a task not yet running ends now; a running one is flagged and its runner signalled. */
  public static Future<Outcome> cancel(Pool pool, long taskId) {
    return change(pool, taskId, TaskTransitions::cancelling).map(outcome -> outcome.task() != null && outcome.task().status() == TaskStatus.RUNNING
        ? new Outcome(outcome.task(), outcome.changed(), List.of(taskId))
        : outcome);
  }

  /** The one cancel decision (a task's, a run's): null when there is nothing left to cancel. */
  static TaskUpdate cancelling(TaskRow task) {
    if (task.status().terminal() || task.cancelRequested() && task.status() == TaskStatus.RUNNING) {
      return null;
    }
    if (task.status() == TaskStatus.RUNNING) {
      return TaskUpdate.of(task).requestCancel();
    }
    return TaskUpdate.of(task).requestCancel().finish(TaskStatus.CANCELLED).error("cancelled on request");
  }

  /**
   * A runner entered a named stage of a task it holds (or reports output from it): the stage and the
   * runtime block are written and {@code node.task.stage.updated} is appended. Nothing happens if the
   * runner no longer holds the task.
   */
  public static Future<Boolean> stage(Pool pool, long taskId, String owner, String stage, JsonObject detail,
                                      JsonObject runtime) {
    return Transactions.run(pool, tx -> tx.preparedQuery("""
            UPDATE task SET stage = $2, runtime = COALESCE($4, runtime), version = version + 1, updated_at = now()
            WHERE id = $1 AND status = 'running' AND lease_owner = $3 RETURNING *""")
        .execute(Tuple.of(taskId, stage, owner, runtime))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false)
            : TaskEvents.stage(tx, TaskRow.from(rows.iterator().next()), detail).map(true)));
  }

  /**
   * After a claim: the task's flowchart run announces the node running (and its running set), its
   * run re-derives status and node set. A separate transaction, because the claim locks task rows
   * only (the owner lock comes first everywhere); the runner starts the work after this, so the
   * node's {@code running} always precedes its end in the owner's rooms.
   */
  public static Future<Void> started(Pool pool, TaskRow claimed) {
    if (claimed.flowchartRunId() != null) {
      return Transactions.run(pool, tx -> FlowchartRuns.lock(tx, claimed.flowchartRunId())
          .compose(run -> Tasks.find(tx, claimed.id()).compose(task -> run == null || !stillHeld(task, claimed)
              ? Future.<Void>succeededFuture()
              : FlowchartRuns.nodeStarted(tx, run, task).compose(event -> run.save(tx)))));
    }
    if (Owners.autorunOf(claimed) != null) {
      return Transactions.run(pool, tx -> Autoruns.lock(tx, claimed.runId()).compose(run -> run == null
          ? Future.<Void>succeededFuture()
          : Autoruns.refresh(tx, run).compose(done -> run.save(tx))));
    }
    return Future.succeededFuture();
  }

  private static boolean stillHeld(TaskRow task, TaskRow claimed) {
    return task != null && task.status() == TaskStatus.RUNNING
        && Objects.equals(task.leaseOwner(), claimed.leaseOwner());
  }

  /** The owners of a task, locked in the one order: flowchart run or run, then chat thread. */
  static final class Owners {
    private final RunState run;
    private final AutorunState autorun;
    private final Chats.ThreadState thread;

    private Owners(RunState run, AutorunState autorun, Chats.ThreadState thread) {
      this.run = run;
      this.autorun = autorun;
      this.thread = thread;
    }

    /** The run a task was started in (POST /runs), if any: a flowchart node's run_id is its flowchart run's. */
    static Long autorunOf(TaskRow task) {
      return task.flowchartRunId() == null && task.chatTurnId() == null ? task.runId() : null;
    }

    static Future<Owners> lock(SqlClient tx, TaskRow task) {
      Future<RunState> run = task.flowchartRunId() == null ? Future.succeededFuture()
          : FlowchartRuns.lock(tx, task.flowchartRunId());
      return run.compose(flowchartRun -> (autorunOf(task) == null ? Future.<AutorunState>succeededFuture()
              : Autoruns.lock(tx, autorunOf(task)))
          .compose(autorun -> (task.chatTurnId() == null ? Future.<Chats.ThreadState>succeededFuture()
              : Chats.lockByTurn(tx, task.chatTurnId()))
              .map(thread -> new Owners(flowchartRun, autorun, thread))));
    }

    Future<List<Long>> react(SqlClient tx, TaskRow task) {
      Future<List<Long>> signals = run == null ? Future.succeededFuture(List.of())
          : FlowchartRuns.nodeChanged(tx, run, task);
      if (autorun != null) {
        signals = signals.compose(ids -> Autoruns.refresh(tx, autorun).map(ids));
      }
      return thread == null || !task.status().terminal() ? signals
          : signals.compose(ids -> Chats.turnFinished(tx, thread, task).map(ids));
    }

    Future<Void> save(SqlClient tx) {
      Future<Void> saved = run == null ? Future.succeededFuture() : run.save(tx);
      saved = autorun == null ? saved : saved.compose(done -> autorun.save(tx));
      return thread == null ? saved : saved.compose(done -> thread.save(tx));
    }
  }
}

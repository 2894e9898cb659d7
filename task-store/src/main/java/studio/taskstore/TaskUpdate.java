package studio.taskstore;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * A change to a task row that the caller holds locked: starts from the row's current values, so
 * only what is set here changes. {@link Tasks#apply} writes it and bumps the version.
 */
public final class TaskUpdate {
  final TaskRow from;
  TaskStatus status;
  String stage;
  JsonObject result;
  String error;
  JsonObject runtime;
  boolean cancelRequested;
  boolean clearLease;
  Duration runAfter;
  boolean finished;

  private TaskUpdate(TaskRow from) {
    this.from = from;
    this.status = from.status();
    this.stage = from.stage();
    this.result = from.result();
    this.error = from.error();
    this.runtime = from.runtime();
    this.cancelRequested = from.cancelRequested();
  }

  public static TaskUpdate of(TaskRow row) {
    return new TaskUpdate(row);
  }

  /** A terminal status: the stage says the same, the lease is released and the finish time set. */
  public TaskUpdate finish(TaskStatus terminal) {
    this.status = terminal;
    this.stage = terminal.wire();
    this.clearLease = true;
    this.finished = true;
    return this;
  }

  /** Back to the queue, claimable again after {@code delay}. */
  public TaskUpdate requeue(Duration delay) {
    this.status = TaskStatus.QUEUED;
    this.stage = "retrying";
    this.clearLease = true;
    this.runAfter = delay;
    return this;
  }

  public TaskUpdate status(TaskStatus newStatus) {
    this.status = newStatus;
    this.stage = newStatus.wire();
    return this;
  }

  public TaskUpdate stage(String newStage) {
    this.stage = newStage;
    return this;
  }

  public TaskUpdate result(JsonObject newResult) {
    this.result = newResult;
    return this;
  }

  public TaskUpdate error(String newError) {
    this.error = newError;
    return this;
  }

  public TaskUpdate runtime(JsonObject newRuntime) {
    this.runtime = newRuntime;
    return this;
  }

  public TaskUpdate requestCancel() {
    this.cancelRequested = true;
    return this;
  }

  public boolean changesStatus() {
    return status != from.status();
  }
}

package studio.contract.envelope;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The v1 event types. A conflatable type describes the latest state of its entity (progress-like),
 * so a lagging connection may keep only the newest one per entity instead of every intermediate.
 */
public enum EventType implements EventTypeName {
  NODE_TASK_UPDATED("node.task.updated", true),
  NODE_TASK_STAGE_UPDATED("node.task.stage.updated", false),
  NODE_TASK_COMPLETED("node.task.completed", false),
  FLOWCHART_RUNTIME_UPDATED("flowchart.runtime.updated", true),
  FLOWCHART_NODE_UPDATED("flowchart.node.updated", false),
  FLOWCHART_RUN_UPDATED("flowchart.run.updated", false),
  DOWNLOAD_JOB_UPDATED("download.job.updated", true),
  DOWNLOAD_JOB_COMPLETED("download.job.completed", false),
  CHAT_TURN_REQUESTED("chat.turn.requested", false),
  CHAT_TURN_RESPONDED("chat.turn.responded", false),
  CHAT_TURN_FAILED("chat.turn.failed", false),
  CHAT_ACTIVITY_APPENDED("chat.activity.appended", false),
  RAG_INDEX_JOB_UPDATED("rag.index_job.updated", true);

  private final String wire;
  private final boolean conflatable;

  EventType(String wire, boolean conflatable) {
    this.wire = wire;
    this.conflatable = conflatable;
  }

  public String wire() {
    return wire;
  }

  public boolean conflatable() {
    return conflatable;
  }

  public static Optional<EventType> fromWire(String wire) {
    return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
  }

  static String allWireNames() {
    return Arrays.stream(values()).map(EventType::wire).collect(Collectors.joining(", "));
  }
}

package studio.taskstore;

/** Who a task belongs to, fixed when it is enqueued: a caller's run group, a flowchart node, a chat turn. */
public record TaskOrigin(Long runId, Long flowchartRunId, String nodeKey, Long chatTurnId) {
  public static final TaskOrigin NONE = new TaskOrigin(null, null, null, null);

  public static TaskOrigin run(Long runId) {
    return new TaskOrigin(runId, null, null, null);
  }

  public static TaskOrigin flowchartNode(long flowchartRunId, String nodeKey) {
    return new TaskOrigin(flowchartRunId, flowchartRunId, nodeKey, null);
  }

  public static TaskOrigin chatTurn(long turnId) {
    return new TaskOrigin(null, null, null, turnId);
  }
}

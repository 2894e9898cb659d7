package studio.contract.envelope;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** What an event is about; with the entity id it names the event's sequence stream. */
public enum EntityKind {
  TASK("task"),
  RUN("run"),
  FLOWCHART("flowchart"),
  FLOWCHART_RUN("flowchart_run"),
  FLOWCHART_NODE("flowchart_node"),
  THREAD("thread"),
  DOWNLOAD_JOB("download_job"),
  RAG_JOB("rag_job");

  private final String wire;

  EntityKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<EntityKind> fromWire(String wire) {
    return Arrays.stream(values()).filter(k -> k.wire.equals(wire)).findFirst();
  }

  static String allWireNames() {
    return Arrays.stream(values()).map(EntityKind::wire).collect(Collectors.joining(", "));
  }
}

package studio.contract.room;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The room prefixes a browser may subscribe to. Anything else is refused as {@code invalid_room}. */
public enum RoomKind {
  TASK("task"),
  RUN("run"),
  FLOWCHART("flowchart"),
  FLOWCHART_RUN("flowchart_run"),
  FLOWCHART_NODE("flowchart_node"),
  THREAD("thread"),
  DOWNLOAD_JOB("download_job"),
  RAG_JOB("rag_job"),
  RAG_SOURCE("rag_source");

  private final String prefix;

  RoomKind(String prefix) {
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  public static Optional<RoomKind> fromPrefix(String prefix) {
    return Arrays.stream(values()).filter(k -> k.prefix.equals(prefix)).findFirst();
  }

  public static String allPrefixes() {
    return Arrays.stream(values()).map(RoomKind::prefix).collect(Collectors.joining(", "));
  }
}

package studio.taskstore;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The executors a task may name; each validates its own {@code params} in {@link TaskSpec}. */
public enum ExecutorKind {
  NOOP("noop"),
  SLEEP("sleep"),
  SHELL("shell"),
  HTTP("http"),
  LLM("llm");

  private final String wire;

  ExecutorKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<ExecutorKind> fromWire(String wire) {
    return Arrays.stream(values()).filter(kind -> kind.wire.equals(wire)).findFirst();
  }

  static String allWireNames() {
    return Arrays.stream(values()).map(ExecutorKind::wire).collect(Collectors.joining(", "));
  }
}

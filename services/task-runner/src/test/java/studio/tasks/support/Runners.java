package studio.tasks.support;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import studio.outbox.OutboxVerticle;
import studio.runtime.config.Settings;
import studio.runtime.egress.EgressNetwork;
import studio.runtime.service.ServiceContext;
import studio.tasks.TaskRunnerVerticle;
import studio.tasks.TasksConfig;

/** Task runner verticles, each on its own Vert.x as separate processes would be, against the test PostgreSQL. */
public final class Runners implements AutoCloseable {
  private final List<Vertx> nodes = new ArrayList<>();
  public final List<TaskRunnerVerticle> runners = new ArrayList<>();

  /** A runner on {@code vertx}; {@code owned}: closed with this object. */
  public TaskRunnerVerticle start(Vertx vertx, Map<String, Object> extra, boolean owned) {
    return start(vertx, extra, owned, EgressNetwork.SYSTEM);
  }

  /** A runner whose http executor resolves and dials through {@code network}. */
  public TaskRunnerVerticle start(Vertx vertx, Map<String, Object> extra, boolean owned, EgressNetwork network) {
    Map<String, Object> values = TaskDatabase.settings(new HashMap<>(extra));
    Settings settings = Settings.of(values);
    TaskRunnerVerticle runner = new TaskRunnerVerticle(new ServiceContext(TaskDatabase.common(values), null),
        TasksConfig.from(settings), network);
    // Each runner stands for a process, so each brings that process's outbox relay.
    TaskDatabase.await(vertx.deployVerticle(new OutboxVerticle(new ServiceContext(TaskDatabase.common(values), null))));
    TaskDatabase.await(vertx.deployVerticle(runner));
    if (owned) {
      nodes.add(vertx);
    }
    runners.add(runner);
    return runner;
  }

  @Override
  public void close() {
    nodes.forEach(vertx -> {
      try {
        TaskDatabase.await(vertx.close());
      } catch (IllegalStateException timedOut) {
        // A close that hung for 60 s once in CI (after ExecutorsTest.shellSucceeds, no log line in between):
        // the next one says which thread held it.
        System.err.println(threadDump());
        throw timedOut;
      }
    });
  }

  private static String threadDump() {
    StringBuilder dump = new StringBuilder("Vert.x close timed out; threads:\n");
    Thread.getAllStackTraces().forEach((thread, frames) -> {
      dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
      for (StackTraceElement frame : frames) {
        dump.append("    at ").append(frame).append('\n');
      }
    });
    return dump.toString();
  }
}

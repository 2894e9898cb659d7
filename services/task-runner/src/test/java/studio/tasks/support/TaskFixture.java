package studio.tasks.support;

import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import studio.runtime.egress.EgressNetwork;

/**
 * A task-runner test's world, opened before each test and closed after it (after the test's own
 * {@code @AfterEach}): the test's Vert.x, the test PostgreSQL emptied of task state, and the runners the
 * test starts. Use as {@code @RegisterExtension final TaskFixture fixture = new TaskFixture();}.
 */
public final class TaskFixture implements BeforeEachCallback, AfterEachCallback {
  private final Runners runners = new Runners();
  private Vertx vertx;
  private TaskDatabase db;

  @Override
  public void beforeEach(ExtensionContext context) {
    vertx = Vertx.vertx();
    db = TaskDatabase.open(vertx);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    runners.close();
    if (db != null) {
      db.close();
    }
    TaskDatabase.await(vertx.close());
  }

  public Vertx vertx() {
    return vertx;
  }

  public TaskDatabase db() {
    return db;
  }

  /** Starts a runner on a Vert.x of its own, as a separate process would be; returns that Vert.x, the one to signal. */
  public Vertx runner(Map<String, Object> extra) {
    return runner(extra, EgressNetwork.SYSTEM);
  }

  /** As {@link #runner(Map)}, its http executor resolving and dialling through {@code network}. */
  public Vertx runner(Map<String, Object> extra, EgressNetwork network) {
    Vertx runnerVertx = Vertx.vertx();
    runners.start(runnerVertx, extra, true, network);
    return runnerVertx;
  }

  /** Starts a runner on the test's own Vert.x, so its outbox relay reaches a {@link Hub} deployed there over the bus. */
  public void runnerBesideHub(Map<String, Object> extra) {
    runners.start(vertx, extra, false);
  }
}

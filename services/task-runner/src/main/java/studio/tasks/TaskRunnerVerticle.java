package studio.tasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import studio.outbox.OutboxRelay;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.WorkerRuntime;

/** The task runner: claims queued tasks from PostgreSQL and runs them, publishing every state change. */
public final class TaskRunnerVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "task-runner";
  private final ServiceContext context;
  private final TasksConfig config;
  private WorkerRuntime runtime;
  private OutboxRelay outbox;

  public TaskRunnerVerticle(ServiceContext context, TasksConfig config) {
    this.context = context;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    runtime = new WorkerRuntime(vertx, context, SERVICE, config.port());
    outbox = OutboxRelay.toHub(vertx, runtime.pool(), context.config().outboxPollInterval());
    return runtime.start().onSuccess(started -> outbox.start());
  }

  @Override
  public Future<?> stop() {
    outbox.stop();
    return runtime.stop();
  }

  @Override
  public int actualPort() {
    return runtime == null ? -1 : runtime.actualPort();
  }
}

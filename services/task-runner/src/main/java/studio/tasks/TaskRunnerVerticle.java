package studio.tasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import studio.runtime.egress.EgressNetwork;
import studio.runtime.metrics.SampledGauges;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.WorkerRuntime;
import studio.tasks.executor.Executors;
import studio.tasks.queue.TaskDispatcher;
import studio.tasks.queue.TaskQueue;

/** The task runner: claims queued tasks from PostgreSQL and runs them, publishing every state change. */
public final class TaskRunnerVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "task-runner";
  private final ServiceContext context;
  private final TasksConfig config;
  private final EgressNetwork network;
  private WorkerRuntime runtime;
  private Executors executors;
  private TaskDispatcher dispatcher;
  private SampledGauges queueGauges;

  public TaskRunnerVerticle(ServiceContext context, TasksConfig config) {
    this(context, config, EgressNetwork.SYSTEM);
  }

  /** {@code network}: how user-supplied URLs are resolved and dialed; tests substitute a recording one. */
  public TaskRunnerVerticle(ServiceContext context, TasksConfig config, EgressNetwork network) {
    this.context = context;
    this.config = config;
    this.network = network;
  }

  @Override
  public Future<?> start() {
    runtime = new WorkerRuntime(vertx, context, SERVICE, config.port(), this::details);
    executors = Executors.create(vertx, config, network, context.metrics());
    dispatcher = new TaskDispatcher(vertx, runtime.pool(), config, runtime.instanceId(), executors);
    queueGauges = TaskQueue.gauges(vertx, runtime.pool(), context.metrics());
    return runtime.start()
        .onSuccess(started -> queueGauges.start())
        .compose(started -> dispatcher.start());
  }

  @Override
  public Future<?> stop() {
    return dispatcher.stop(context.config().gracefulTimeout())
        .eventually(() -> {
          queueGauges.stop();
          return executors.close();
        })
        .eventually(runtime::stop);
  }

  private JsonObject details() {
    return dispatcher == null ? new JsonObject() : dispatcher.details();
  }

  @Override
  public int actualPort() {
    return runtime == null ? -1 : runtime.actualPort();
  }
}

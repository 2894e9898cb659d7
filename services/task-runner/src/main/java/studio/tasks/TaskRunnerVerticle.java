package studio.tasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import studio.contract.bus.RealtimePublisher;
import studio.outbox.OutboxRelay;
import studio.runtime.database.Database;
import studio.runtime.health.HealthEndpoints;
import studio.runtime.metrics.MetricsEndpoint;
import studio.runtime.heartbeat.InstanceHeartbeat;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.ServiceHttp;

/** The task runner: claims queued tasks from PostgreSQL and runs them, publishing every state change. */
public final class TaskRunnerVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "task-runner";
  private final ServiceContext context;
  private final TasksConfig config;
  private Pool pool;
  private OutboxRelay outbox;
  private InstanceHeartbeat heartbeat;
  private HttpServer server;

  public TaskRunnerVerticle(ServiceContext context, TasksConfig config) {
    this.context = context;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, context.config().database());
    outbox = new OutboxRelay(vertx, pool, new RealtimePublisher(vertx), context.config().outboxPollInterval());
    heartbeat = new InstanceHeartbeat(vertx, pool, SERVICE, JsonObject::new);
    Router router = Router.router(vertx);
    HealthEndpoints.create(vertx, SERVICE).postgres(pool).cluster(context.cluster()).mount(router);
    MetricsEndpoint.mount(router, context.metrics());
    return ServiceHttp.listen(vertx, router, context.config().httpHost(), config.port())
        .onSuccess(listening -> server = listening)
        .onSuccess(listening -> outbox.start())
        .compose(listening -> heartbeat.start());
  }

  @Override
  public Future<?> stop() {
    outbox.stop();
    return ServiceHttp.shutdown(server, context.config().gracefulTimeout())
        .eventually(() -> heartbeat.stop())
        .eventually(() -> pool.close());
  }

  @Override
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}

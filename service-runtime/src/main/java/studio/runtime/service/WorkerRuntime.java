package studio.runtime.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.util.function.Supplier;
import studio.runtime.database.Database;
import studio.runtime.health.HealthEndpoints;
import studio.runtime.heartbeat.InstanceHeartbeat;
import studio.runtime.heartbeat.Instances;
import studio.runtime.metrics.MetricsEndpoint;
import studio.runtime.metrics.SampledGauges;

/**
 * What every worker service (task runner, download jobs) runs beside its own work: a PostgreSQL
 * pool, a heartbeat, the heartbeat gauges of every worker (so one worker reports another that went
 * silent), and health plus metrics on its port. The service adds its routes and work.
 */
public final class WorkerRuntime {
  private final Vertx vertx;
  private final ServiceContext context;
  private final int port;
  private final Pool pool;
  private final InstanceHeartbeat heartbeat;
  private final SampledGauges instances;
  private final Router router;
  private HttpServer server;

  public WorkerRuntime(Vertx vertx, ServiceContext context, String service, int port) {
    this(vertx, context, service, port, JsonObject::new);
  }

  /** {@code details} is read on every heartbeat: what this worker is doing, for operators. */
  public WorkerRuntime(Vertx vertx, ServiceContext context, String service, int port, Supplier<JsonObject> details) {
    this.vertx = vertx;
    this.context = context;
    this.port = port;
    this.pool = Database.pool(vertx, context.config().database());
    this.heartbeat = new InstanceHeartbeat(vertx, pool, service, details);
    this.instances = Instances.gauges(vertx, pool, context.metrics());
    this.router = Router.router(vertx);
    HealthEndpoints.create(vertx, service).postgres(pool).cluster(context.cluster()).mount(router);
    MetricsEndpoint.mount(router, context.metrics());
  }

  public Pool pool() {
    return pool;
  }

  /** This process's heartbeat id; workers also name their claims (leases) with it. */
  public String instanceId() {
    return heartbeat.instanceId();
  }

  public Router router() {
    return router;
  }

  /** Listens (a failed bind fails the deploy), then beats once so the worker is visible as soon as it is ready. */
  public Future<Void> start() {
    return ServiceHttp.listen(vertx, router, context.config(), port)
        .onSuccess(listening -> server = listening)
        .compose(listening -> heartbeat.start())
        .onSuccess(beating -> instances.start());
  }

  public Future<Void> stop() {
    instances.stop();
    return ServiceHttp.shutdown(server, context.config().gracefulTimeout())
        .eventually(heartbeat::stop)
        .eventually(pool::close);
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}

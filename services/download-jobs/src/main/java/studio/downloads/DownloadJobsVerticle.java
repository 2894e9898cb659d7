package studio.downloads;

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

/** Download jobs: fetches models and artifacts into the workspace, publishing progress as it goes. */
public final class DownloadJobsVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "download-jobs";
  private final ServiceContext context;
  private final DownloadsConfig config;
  private Pool pool;
  private OutboxRelay outbox;
  private InstanceHeartbeat heartbeat;
  private HttpServer server;

  public DownloadJobsVerticle(ServiceContext context, DownloadsConfig config) {
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

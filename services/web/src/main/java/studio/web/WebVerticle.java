package studio.web;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import studio.contract.bus.RealtimePublisher;
import studio.outbox.OutboxRelay;
import studio.runtime.database.Database;
import studio.runtime.health.HealthEndpoints;
import studio.runtime.metrics.MetricsEndpoint;
import studio.runtime.redis.RedisConnector;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.ServiceHttp;
import studio.web.api.ApiContext;
import studio.web.api.ApiRouter;
import studio.web.downloads.DownloadApi;
import studio.web.health.InfrastructureHealth;

/** The web gateway: pages, POST ingress, hydration endpoints and the operators' health set. */
public final class WebVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "web";
  private final ServiceContext context;
  private final WebConfig config;
  private Pool pool;
  private OutboxRelay outbox;
  private Redis redis;
  private HttpServer server;

  public WebVerticle(ServiceContext context, WebConfig config) {
    this.context = context;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, context.config().database());
    outbox = OutboxRelay.toHub(vertx, pool, context.config().outboxPollInterval());
    redis = RedisConnector.client(vertx, context.config().redis());
    Router router = Router.router(vertx);
    HealthEndpoints health = HealthEndpoints.create(vertx, SERVICE)
        .postgres(pool).redis(redis).cluster(context.cluster()).mount(router);
    MetricsEndpoint.mount(router, context.metrics());
    InfrastructureHealth.mount(router, health, pool);
    router.route(ApiRouter.PREFIX + "/*").subRouter(api());
    return ServiceHttp.listen(vertx, router, context.config().httpHost(), config.port())
        .onSuccess(listening -> server = listening)
        .onSuccess(listening -> outbox.start());
  }

  /** Every feature's endpoints under /api/v1. */
  private Router api() {
    Router api = ApiRouter.create(vertx, pool, config.bodyLimitBytes());
    ApiContext features = new ApiContext(vertx, pool, new RealtimePublisher(vertx));
    DownloadApi.mount(api, features);
    return api;
  }

  @Override
  public Future<?> stop() {
    outbox.stop();
    return ServiceHttp.shutdown(server, context.config().gracefulTimeout())
        .eventually(() -> pool.close())
        .eventually(() -> redis.close());
  }

  @Override
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}

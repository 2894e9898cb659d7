package studio.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.util.List;
import studio.contract.bus.RealtimePublisher;
import studio.outbox.OutboxVerticle;
import studio.runtime.auth.Internals;
import studio.runtime.auth.RealtimeTokens;
import studio.runtime.auth.TokenKeys;
import studio.runtime.database.Database;
import studio.runtime.health.HealthEndpoints;
import studio.runtime.http.OriginPolicy;
import studio.runtime.metrics.MetricsEndpoint;
import studio.runtime.redis.RedisConnector;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.ServiceHttp;
import studio.web.api.ApiContext;
import studio.web.api.ApiRouter;
import studio.web.api.OpenApiDocument;
import studio.web.api.Operations;
import studio.web.assets.StaticAssets;
import studio.web.auth.AuthConfig;
import studio.web.auth.Authentication;
import studio.web.auth.CorsPolicy;
import studio.web.auth.CrossOriginWrites;
import studio.web.auth.RealtimeTokenEndpoint;
import studio.web.auth.SessionEndpoint;
import studio.web.chat.ChatApi;
import studio.web.downloads.DownloadApi;
import studio.web.flowcharts.FlowchartApi;
import studio.web.health.InfrastructureHealth;
import studio.web.operators.HubStatsEndpoint;
import studio.web.operators.OutboxEndpoint;
import studio.web.pages.Pages;
import studio.web.proxy.ForwardedHeaders;
import studio.web.runs.RunApi;
import studio.web.serving.ConnectionGuard;
import studio.web.serving.RequestLog;
import studio.web.serving.RequestTimeout;
import studio.web.tasks.TaskApi;

/**
 * The web gateway: pages, POST ingress, hydration endpoints, realtime tokens and the operators' health
 * set. One instance per event loop; they share the process's PostgreSQL pool and its one outbox relay
 * ({@link OutboxVerticle}), and the Idempotency-Key expiry runs once in {@link WebHousekeeping}.
 */
public final class WebVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "web";
  private final ServiceContext context;
  private final WebConfig config;
  private Pool pool;
  private Redis redis;
  private JWTAuth sessionCookies;
  private RealtimeTokens realtimeTokens;
  private HttpServer server;

  public WebVerticle(ServiceContext context, WebConfig config) {
    this.context = context;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, context.config().database());
    redis = RedisConnector.client(vertx, context.config().redis());
    sessionCookies = TokenKeys.sessionCookies(vertx, context.config().secrets().jwtSecretKey());
    realtimeTokens = RealtimeTokens.create(vertx, context.config().secrets().jwtSecretKey());
    ConnectionGuard connections = new ConnectionGuard(config.serving(), context.metrics());
    Router router = Router.router(vertx);
    router.route().handler(new ForwardedHeaders(config.proxy()))
        .handler(new RequestLog(context.metrics(), config.serving().accessLog()))
        .handler(connections)
        .handler(new RequestTimeout(config.serving().requestTimeout()));
    HealthEndpoints health = HealthEndpoints.create(vertx, SERVICE)
        .postgres(pool).redis(redis).cluster(context.cluster()).mount(router);
    MetricsEndpoint.mount(router, context.metrics(), internals());
    Pages.mount(router);
    OpenApiDocument.mount(vertx, router);
    HttpServerOptions options = new HttpServerOptions()
        .setIdleTimeout((int) config.serving().keepAliveTimeout().toSeconds());
    return OpenApiDocument.contract(vertx)
        .map(contract -> {
          router.route(ApiRouter.PREFIX + "/*").subRouter(api(contract, health));
          StaticAssets.mount(router);
          return router;
        })
        .compose(routes -> ServiceHttp.listen(vertx, router, options, context.config(), config.port(), connections::opened))
        .onSuccess(listening -> server = listening);
  }

  /**
   * Who may scrape /metrics on web's port: anyone in development (auth mode none), else a caller with
   * the worker secret as bearer. Scrapers that hold no secret use the management port.
   */
  private Handler<RoutingContext> internals() {
    return Internals.guard(config.auth().mode() == AuthConfig.Mode.NONE, context.config().secrets().workerSharedSecret());
  }

  /**
   * Every operation of docs/openapi.yaml, bound by the feature that owns it, behind cross-origin write
   * refusal, CORS and authentication.
   */
  private Router api(OpenAPIContract contract, HealthEndpoints health) {
    OriginPolicy origins = new OriginPolicy(context.config().allowedOrigins());
    Operations operations = Operations.of(vertx, contract);
    ApiContext features = new ApiContext(vertx, pool, new RealtimePublisher(vertx));
    RealtimeTokenEndpoint.bind(operations, realtimeTokens, config.auth(), config.realtime());
    SessionEndpoint.bind(operations);
    InfrastructureHealth.bind(operations, health, pool);
    TaskApi.bind(operations, features);
    RunApi.bind(operations, features);
    FlowchartApi.bind(operations, features);
    ChatApi.bind(operations, features);
    DownloadApi.bind(operations, features);
    HubStatsEndpoint.bind(operations, features.hub());
    OutboxEndpoint.bind(operations, pool);
    // Forged writes first, so their refusal names what a write needs; preflights (OPTIONS) pass to CORS.
    List<Handler<RoutingContext>> gates = List.of(new CrossOriginWrites(origins), CorsPolicy.handler(origins),
        new Authentication(config.auth(), sessionCookies));
    return ApiRouter.create(vertx, operations, gates, pool, config.bodyLimitBytes(), () -> OutboxVerticle.wake(vertx));
  }

  @Override
  public Future<?> stop() {
    return ServiceHttp.shutdown(server, context.config().gracefulTimeout())
        .eventually(() -> pool.close())
        .eventually(() -> redis.close());
  }

  @Override
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}

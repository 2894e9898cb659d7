package studio.hub;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import studio.runtime.health.HealthEndpoints;
import studio.runtime.redis.RedisConnector;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.ServiceHttp;

/** The socket hub: browser connections, room subscriptions, sequencing and fan-out. */
public final class HubVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "socket-hub";
  private final ServiceContext context;
  private final HubConfig config;
  private Redis redis;
  private HttpServer server;

  public HubVerticle(ServiceContext context, HubConfig config) {
    this.context = context;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    redis = RedisConnector.client(vertx, context.config().redis());
    Router router = Router.router(vertx);
    HealthEndpoints.create(vertx, SERVICE).redis(redis).cluster(context.cluster()).mount(router);
    return ServiceHttp.listen(vertx, router, context.config().httpHost(), config.port())
        .onSuccess(listening -> server = listening);
  }

  @Override
  public Future<?> stop() {
    return ServiceHttp.shutdown(server, context.config().gracefulTimeout()).eventually(() -> redis.close());
  }

  @Override
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}

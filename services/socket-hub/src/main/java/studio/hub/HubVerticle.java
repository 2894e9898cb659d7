package studio.hub;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import java.util.Optional;
import java.util.UUID;
import studio.contract.bus.Addresses;
import studio.runtime.http.OriginPolicy;
import studio.hub.auth.TokenVerifier;
import studio.hub.broker.Broker;
import studio.hub.broker.InMemoryBroker;
import studio.hub.broker.RedisBroker;
import studio.hub.fanout.RoomFanout;
import studio.hub.ingress.BusIngress;
import studio.hub.ingress.HttpIngress;
import studio.hub.ingress.PublishService;
import studio.hub.ingress.StreamIngress;
import studio.hub.metrics.HubMetrics;
import studio.hub.metrics.RedisLinkProbe;
import studio.hub.resume.Resumption;
import studio.hub.positions.PositionsEndpoint;
import studio.hub.session.SessionServices;
import studio.hub.socketio.EngineOptions;
import studio.hub.socketio.SocketIoEndpoint;
import studio.hub.session.Sessions;
import studio.hub.transport.LongPollTransport;
import studio.hub.transport.SockJsTransport;
import studio.hub.transport.WebSocketTransport;
import studio.runtime.auth.Internals;
import studio.runtime.health.HealthEndpoints;
import studio.runtime.metrics.MetricsEndpoint;
import studio.runtime.redis.RedisConnector;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.ServiceHttp;

/** The socket hub: browser connections, room subscriptions, sequencing and fan-out, publish ingress. */
public final class HubVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "socket-hub";
  /** Names a process that is not a cluster member (so has no cluster node id) in health answers. */
  private static final String PROCESS_NODE_ID = "process-" + UUID.randomUUID().toString().substring(0, 8);
  private final ServiceContext context;
  private final HubConfig config;
  private Redis redis;
  /** Opens the dedicated stream-reading connections; kept so it lives as long as they do. */
  private Redis dedicatedConnections;
  private Broker broker;
  private RoomFanout fanout;
  private Sessions sessions;
  private HubMetrics metrics;
  private RedisLinkProbe redisProbe;
  private MessageConsumer<Object> busIngress;
  private MessageConsumer<JsonObject> positions;
  private MessageConsumer<JsonObject> statsRequests;
  private StreamIngress streamIngress;
  private HttpServer server;
  private Resumption resumption;
  private SocketIoEndpoint socketIo;

  public HubVerticle(ServiceContext context, HubConfig config) {
    this.context = context;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    metrics = new HubMetrics(context.metrics());
    broker = createBroker();
    redisProbe = redis == null ? null : RedisLinkProbe.start(vertx, redis, metrics);
    fanout = new RoomFanout(broker, config.history().size(), metrics);
    TokenVerifier verifier = new TokenVerifier(vertx, context.config().secrets().jwtSecretKey());
    resumption = new Resumption(broker, config.history().size(), metrics);
    sessions = new Sessions(new SessionServices(vertx, fanout, resumption, verifier, config.session(), metrics,
        context.cluster().map(ClusterManager::getNodeId).orElse(PROCESS_NODE_ID)));
    metrics.watch(sessions::subscriptionCount, fanout::roomCount);
    PublishService publisher = new PublishService(broker, metrics);
    Router router = Router.router(vertx);
    HealthEndpoints health = HealthEndpoints.create(vertx, SERVICE).cluster(context.cluster());
    if (redis != null) {
      health.redis(redis);
    }
    health.mount(router);
    // The realtime path is routed to browsers by every proxy: counters and metrics need the worker secret
    // once users sign in (Internals).
    String workerSecret = context.config().secrets().workerSharedSecret();
    Handler<RoutingContext> internals = Internals.guard(config.internalsOpen(), workerSecret);
    MetricsEndpoint.mount(router, context.metrics(), internals);
    OriginPolicy origins = new OriginPolicy(context.config().allowedOrigins());
    mountTransports(router, verifier, origins);
    router.get(config.rtPath() + "/stats").handler(internals).handler(this::stats);
    HttpIngress.mount(router, publisher, workerSecret, config.publishLimits());
    HttpServerOptions options = new HttpServerOptions()
        .setMaxWebSocketFrameSize(maxWebSocketFrameBytes())
        .setMaxWebSocketMessageSize(config.session().frameMaxBytes() * 4)
        .setPerMessageWebSocketCompressionSupported(config.webSocketCompression())
        .setPerFrameWebSocketCompressionSupported(config.webSocketCompression());
    statsRequests = vertx.eventBus().consumer(Addresses.HUB_STATS, request -> request.reply(statsJson()));
    return BusIngress.register(vertx, publisher, config.publishLimits()).onSuccess(consumer -> busIngress = consumer)
        .compose(registered -> PositionsEndpoint.register(vertx, broker)).onSuccess(consumer -> positions = consumer)
        .compose(registered -> startStreamIngress(publisher))
        .compose(started -> mountSocketIo(router, verifier, origins))
        .compose(mounted -> ServiceHttp.listen(vertx, router, options, context.config(), config.port()))
        .onSuccess(listening -> server = listening);
  }

  @Override
  public Future<?> stop() {
    // Stop taking new work first, then send clients elsewhere, then release connections.
    Optional.ofNullable(redisProbe).ifPresent(RedisLinkProbe::stop);
    Future<Void> ingressStopped = streamIngress == null ? Future.succeededFuture() : streamIngress.stop();
    return ingressStopped
        .eventually(() -> sessions.drain(config.drainGrace()))
        .eventually(() -> ServiceHttp.shutdown(server, context.config().gracefulTimeout()))
        .eventually(() -> socketIo == null ? Future.succeededFuture() : socketIo.close())
        .eventually(() -> busIngress == null ? Future.succeededFuture() : busIngress.unregister())
        .eventually(() -> positions == null ? Future.succeededFuture() : positions.unregister())
        .eventually(() -> statsRequests == null ? Future.succeededFuture() : statsRequests.unregister())
        .eventually(() -> broker.close())
        .eventually(() -> redis == null ? Future.succeededFuture() : redis.close())
        .eventually(() -> dedicatedConnections == null ? Future.succeededFuture() : dedicatedConnections.close())
        .eventually(() -> {
          metrics.close();
          return Future.succeededFuture();
        });
  }

  @Override
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /** For tests and operators: drops this replica's Redis pub/sub link (its instances share it) as a network fault would. */
  public void dropBrokerLink() {
    if (broker instanceof RedisBroker redisBroker) {
      redisBroker.dropSubscriberConnection();
    }
  }

  /** For tests and operators: whether this instance holds the ingress reader lease, so it is the one reading the stream. */
  public boolean readsIngress() {
    return streamIngress != null && streamIngress.holdsReaderLease();
  }

  private Broker createBroker() {
    if (config.broker() == HubConfig.BrokerKind.MEMORY) {
      return new InMemoryBroker(vertx, config.history());
    }
    redis = RedisConnector.client(vertx, context.config().redis());
    dedicatedConnections = Redis.createClient(vertx, RedisConnector.options(context.config().redis()));
    return RedisBroker.forInstance(vertx, redis, config.history(), context.config().redis());
  }

  /** Workers with only Redis publish through a stream; without Redis (memory broker) there is none. */
  private Future<Void> startStreamIngress(PublishService publisher) {
    if (redis == null) {
      return Future.succeededFuture();
    }
    streamIngress = new StreamIngress(vertx, redis, dedicatedConnections::connect, publisher,
        config.ingressClaimIdle(), config.ingressLeaseTtl(), config.ingressMaxDeliveries(), metrics);
    return streamIngress.start();
  }

  /** Pages written for Flask-SocketIO keep working: Socket.IO over the same sessions (docs/protocol.md "Socket.IO"). */
  private Future<?> mountSocketIo(Router router, TokenVerifier verifier, OriginPolicy origins) {
    if (config.socketIoPath().isEmpty()) {
      return Future.succeededFuture();
    }
    EngineOptions options = new EngineOptions(config.session().pingInterval(), config.session().pingTimeout(),
        config.session().frameMaxBytes());
    return SocketIoEndpoint.mount(vertx, router, config.socketIoPath(), sessions, verifier, origins, options,
            config.session().clientQueueMaxBytes(), maxWebSocketFrameBytes(), config.session().authTimeout().toMillis())
        .onSuccess(endpoint -> socketIo = endpoint);
  }

  private void mountTransports(Router router, TokenVerifier verifier, OriginPolicy origins) {
    // Stateless, so always on: the fallback that works behind any load balancer.
    LongPollTransport.mount(vertx, router, config.rtPath(), verifier, fanout, resumption, metrics, origins,
        config.pollTimeout(), config.pollMax());
    if (config.transports().contains(HubConfig.Transport.WEBSOCKET)) {
      WebSocketTransport.mount(router, config.rtPath(), sessions, origins, config.session().clientQueueMaxBytes(),
          maxWebSocketFrameBytes());
    }
    if (config.transports().contains(HubConfig.Transport.SOCKJS)) {
      SockJsTransport.mount(vertx, router, config.rtPath(), sessions, origins, config.session().clientQueueMaxBytes(),
          config.session().pingInterval().toMillis());
    }
  }

  private int maxWebSocketFrameBytes() {
    return config.session().frameMaxBytes() * 4;
  }

  private void stats(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(statsJson().encode());
  }

  /** Totals over every hub instance of this process, whichever instance answers. */
  private JsonObject statsJson() {
    JsonObject byTransport = new JsonObject();
    metrics.connectionsByTransport().forEach(byTransport::put);
    return new JsonObject()
        .put("connections", (long) metrics.total("studio_rt_connections"))
        .put("connections_by_transport", byTransport)
        .put("subscriptions", (long) metrics.total("studio_rt_subscriptions"))
        .put("rooms", (long) metrics.total("studio_rt_rooms"))
        .put("long_polls", (long) metrics.total(HubMetrics.LONG_POLLS))
        .put("instances", context.metrics().find("studio_rt_rooms").gauges().size())
        .put("events_published", (long) metrics.publishedCount())
        .put("events_delivered", (long) metrics.deliveredCount())
        .put("broker", config.broker().name().toLowerCase());
  }
}

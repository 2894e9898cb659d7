package studio.launcher;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.spi.cluster.ClusterManager;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.downloads.DownloadJobsVerticle;
import studio.hub.HubVerticle;
import studio.outbox.OutboxVerticle;
import studio.runtime.cluster.ClusterConfig;
import studio.runtime.cluster.ClusterKeys;
import studio.runtime.cluster.Clustering;
import studio.runtime.config.CommonConfig;
import studio.runtime.database.Database;
import studio.runtime.metrics.ManagementServer;
import studio.runtime.metrics.ProcessMetrics;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.tasks.TaskRunnerVerticle;
import studio.web.WebHousekeeping;
import studio.web.WebVerticle;

/**
 * One running process of Studio: embedded infrastructure when asked for, a (clustered) Vert.x, the
 * schema migrated, and the selected services deployed. {@link #start} and {@link #close} block the
 * calling thread (main or a test), never an event loop.
 */
public final class StudioStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StudioStack.class);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final Vertx vertx;
  private final ProcessMetrics metrics;
  private final EmbeddedInfrastructure embedded;
  private final CommonConfig common;
  private final Map<ServiceName, HttpService> services;
  private final OptionalInt managementPort;

  private StudioStack(Vertx vertx, ProcessMetrics metrics, EmbeddedInfrastructure embedded, CommonConfig common,
                      Map<ServiceName, HttpService> services, OptionalInt managementPort) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.embedded = embedded;
    this.common = common;
    this.services = services;
    this.managementPort = managementPort;
  }

  public static StudioStack start(StudioConfig config, Set<ServiceName> selected) throws Exception {
    boolean needPostgres = selected.stream().anyMatch(ServiceName::needsPostgres);
    boolean needRedis = selected.stream().anyMatch(ServiceName::needsRedis);
    EmbeddedInfrastructure embedded = EmbeddedInfrastructure.startMissing(config.common(), needPostgres, needRedis);
    StudioConfig resolved = config.withCommon(embedded.resolve(config.common()));
    Vertx vertx = null;
    ClusterManager clusterManager = null;
    ProcessMetrics metrics = ProcessMetrics.create();
    try {
      VertxOptions options = metrics.report(vertxOptions(resolved.common()));
      if (resolved.common().cluster().enabled()) {
        ClusterConfig cluster = resolved.common().cluster();
        ClusterKeys keys = ClusterKeys.derive(cluster.name(), resolved.common().secrets().clusterSecret());
        Clustering.ClusteredVertx clustered = await(Clustering.start(cluster, keys, options, metrics.vertxBuilder()));
        vertx = clustered.vertx();
        clusterManager = clustered.clusterManager();
      } else {
        vertx = metrics.vertx(options);
      }
      logTransport(vertx, resolved.common());
      if (needPostgres) {
        await(Database.migrate(vertx, resolved.common().database()));
      }
      ServiceContext context = new ServiceContext(resolved.common(), clusterManager, metrics.registry());
      Map<ServiceName, HttpService> deployed = new EnumMap<>(ServiceName.class);
      if (selected.stream().anyMatch(ServiceName::needsPostgres)) {
        // Every service with PostgreSQL state writes its events to the outbox: one relay per process for all.
        await(vertx.deployVerticle(new OutboxVerticle(context)));
      }
      for (ServiceName name : selected) {
        if (name == ServiceName.WEB) {
          // Once per process, however many instances serve HTTP.
          await(vertx.deployVerticle(new WebHousekeeping(context)));
        }
        List<HttpService> instances = new CopyOnWriteArrayList<>();
        await(vertx.deployVerticle(() -> {
          HttpService instance = create(name, context, resolved);
          instances.add(instance);
          return (Deployable) instance;
        }, new DeploymentOptions().setInstances(instances(name, resolved))));
        deployed.put(name, instances.get(0));
        LOG.info("{} listening on port {} ({} instance(s))", name.cliName(), instances.get(0).actualPort(),
            instances.size());
      }
      OptionalInt management = OptionalInt.empty();
      if (resolved.managementPort().isPresent()) {
        HttpServer server = await(ManagementServer.listen(vertx, context.metrics(), resolved.common().httpHost(),
            resolved.managementPort().getAsInt()));
        management = OptionalInt.of(server.actualPort());
        LOG.info("management (/metrics) listening on port {}", server.actualPort());
      }
      return new StudioStack(vertx, metrics, embedded, resolved.common(), deployed, management);
    } catch (Exception e) {
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      metrics.close();
      embedded.close();
      throw e;
    }
  }

  /** Event-loop instances per service: hub and web scale over cores; the workers' concurrency is their own knob. */
  private static int instances(ServiceName name, StudioConfig config) {
    return switch (name) {
      case HUB -> config.hub().instances();
      case WEB -> config.web().serving().instances();
      default -> 1;
    };
  }

  private static HttpService create(ServiceName name, ServiceContext context, StudioConfig config) {
    return switch (name) {
      case WEB -> new WebVerticle(context, config.web());
      case HUB -> new HubVerticle(context, config.hub());
      case TASKS -> new TaskRunnerVerticle(context, config.tasks());
      case DOWNLOADS -> new DownloadJobsVerticle(context, config.downloads());
    };
  }

  /** Vert.x as configured: the worker pool, and Netty's native transport unless turned off. */
  static VertxOptions vertxOptions(CommonConfig common) {
    return new VertxOptions().setWorkerPoolSize(common.workerPoolSize()).setPreferNativeTransport(common.nativeTransport());
  }

  private static void logTransport(Vertx vertx, CommonConfig common) {
    if (vertx.isNativeTransportEnabled()) {
      LOG.info("network transport: Netty epoll (native)");
    } else if (common.nativeTransport()) {
      LOG.warn("network transport: Java NIO, Netty's native transport is unavailable here ({})",
          String.valueOf(vertx.unavailableNativeTransportCause()));
    } else {
      LOG.info("network transport: Java NIO ({}=false)", CommonConfig.NATIVE_TRANSPORT);
    }
  }

  /** The port each deployed service listens on. */
  public Map<ServiceName, Integer> ports() {
    Map<ServiceName, Integer> ports = new EnumMap<>(ServiceName.class);
    services.forEach((name, service) -> ports.put(name, service.actualPort()));
    return ports;
  }

  /** The management port (process-wide /metrics), when STUDIO_MANAGEMENT_PORT is set. */
  public OptionalInt managementPort() {
    return managementPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  public CommonConfig config() {
    return common;
  }

  /** Undeploys every service (each drains within the graceful timeout), then stops embedded servers. */
  @Override
  public void close() throws Exception {
    try {
      vertx.close().toCompletionStage().toCompletableFuture()
          .get(common.gracefulTimeout().plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      metrics.close();
      embedded.close();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}

package studio.hub.support;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import studio.contract.bus.Addresses;
import studio.hub.HubConfig;
import studio.hub.HubVerticle;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.service.ServiceContext;
import studio.testsupport.FreePort;
import studio.testsupport.HttpClients;
import studio.testsupport.TestInfrastructure;

/** A hub verticle deployed on a Vert.x (clustered or not) against the test Redis. */
public final class HubNode {
  public static final String WORKER_SECRET = "worker-secret-0123456789abcdef0123456789";
  public final Vertx vertx;
  public final HubVerticle hub;
  private final String deploymentId;

  private HubNode(Vertx vertx, HubVerticle hub, String deploymentId) {
    this.vertx = vertx;
    this.hub = hub;
    this.deploymentId = deploymentId;
  }

  public static HubNode deploy(Vertx vertx, Map<String, String> extra) throws Exception {
    return deploy(vertx, extra, 1);
  }

  /** A replica as the launcher deploys it: {@code instances} hub verticles (one event loop each) on one port. */
  public static HubNode deploy(Vertx vertx, Map<String, String> extra, int instances) throws Exception {
    Map<String, Object> values = new HashMap<>(Map.of(
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "JWT_SECRET_KEY", Tokens.SECRET,
        "WORKER_SHARED_SECRET", WORKER_SECRET,
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_HUB_PORT", "0",
        "STUDIO_RT_DRAIN_GRACE", "100ms",
        "STUDIO_GRACEFUL_TIMEOUT", "2s"));
    if (instances > 1) {
      values.put("STUDIO_HUB_PORT", String.valueOf(FreePort.next()));
    }
    values.putAll(extra);
    Settings settings = Settings.of(values);
    ServiceContext context = new ServiceContext(CommonConfig.from(settings, false), null);
    HubConfig config = HubConfig.from(settings);
    List<HubVerticle> created = new CopyOnWriteArrayList<>();
    String deploymentId = vertx.deployVerticle(() -> {
      HubVerticle hub = new HubVerticle(context, config);
      created.add(hub);
      return hub;
    }, new DeploymentOptions().setInstances(instances)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return new HubNode(vertx, created.get(0), deploymentId);
  }

  /** Stops this hub as a shutdown does (drain, release), leaving its Vert.x running. */
  public void undeploy() throws Exception {
    vertx.undeploy(deploymentId).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public int port() {
    return hub.actualPort();
  }

  /** A counter or gauge from this hub's Prometheus scrape, summed over its labels. */
  public double metric(String name) throws Exception {
    return metricSeries(name).stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Each series of a counter or gauge in this hub's Prometheus scrape (one per instance for per-instance gauges). */
  public List<Double> metricSeries(String name) throws Exception {
    String scrape = HttpClients.of(vertx).get(port(), "127.0.0.1", "/metrics").send()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsString();
    return scrape.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).toList();
  }

  public static JsonObject draft(String entity, String... rooms) {
    return new JsonObject().put("event_type", "node.task.updated").put("entity_kind", "task").put("entity_id", entity)
        .put("room_keys", new JsonArray(List.of((Object[]) rooms))).put("payload", new JsonObject());
  }

  /** Publishes many drafts over the event bus, {@code window} at a time. */
  public void publishAll(List<JsonObject> drafts, int window) throws Exception {
    for (int from = 0; from < drafts.size(); from += window) {
      List<Future<?>> batch = new ArrayList<>();
      for (JsonObject draft : drafts.subList(from, Math.min(drafts.size(), from + window))) {
        batch.add(vertx.eventBus().request(Addresses.PUBLISH, draft));
      }
      Future.all(batch).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  public JsonObject publish(JsonObject draft) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.PUBLISH, draft).map(message -> message.body())
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

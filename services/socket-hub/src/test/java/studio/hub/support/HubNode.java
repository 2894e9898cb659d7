package studio.hub.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import studio.contract.bus.Addresses;
import studio.hub.HubConfig;
import studio.hub.HubVerticle;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.service.ServiceContext;
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
    Map<String, Object> values = new HashMap<>(Map.of(
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "JWT_SECRET_KEY", Tokens.SECRET,
        "WORKER_SHARED_SECRET", WORKER_SECRET,
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_HUB_PORT", "0",
        "STUDIO_RT_DRAIN_GRACE", "100ms",
        "STUDIO_GRACEFUL_TIMEOUT", "2s"));
    values.putAll(extra);
    Settings settings = Settings.of(values);
    HubVerticle hub = new HubVerticle(new ServiceContext(CommonConfig.from(settings, false), null),
        HubConfig.from(settings));
    String deploymentId = vertx.deployVerticle(hub).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return new HubNode(vertx, hub, deploymentId);
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
    String scrape = HttpClients.of(vertx).get(port(), "127.0.0.1", "/metrics").send()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsString();
    return scrape.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
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

package studio.runtime.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Liveness ({@code /health}: the process answers) and readiness ({@code /health/ready}: every
 * dependency this service needs answers). Each check reports {@code UP} or {@code DOWN} with a reason.
 */
public final class HealthEndpoints {
  public static final String LIVENESS = "/health";
  public static final String READINESS = "/health/ready";
  public static final String POSTGRES = "postgres";
  public static final String REDIS = "redis";
  public static final String CLUSTER = "cluster";
  private static final long CHECK_TIMEOUT_MS = 3000;

  private final HealthChecks checks;
  private final String service;
  private final List<String> names = new ArrayList<>();
  /** The checks readiness depends on: what this process cannot serve without. */
  private final List<String> readiness = new ArrayList<>();

  private HealthEndpoints(Vertx vertx, String service) {
    this.checks = HealthChecks.create(vertx);
    this.service = service;
  }

  public static HealthEndpoints create(Vertx vertx, String service) {
    return new HealthEndpoints(vertx, service);
  }

  public HealthEndpoints postgres(Pool pool) {
    return check(POSTGRES, () -> pool.query("SELECT 1").execute().map(rows -> new JsonObject()));
  }

  public HealthEndpoints redis(Redis redis) {
    return check(REDIS, () -> redis.send(Request.cmd(Command.PING)).map(reply -> new JsonObject()));
  }

  /** Standalone processes are trivially "in" their cluster of one; clustered ones report members. */
  public HealthEndpoints cluster(Optional<ClusterManager> cluster) {
    return check(CLUSTER, () -> cluster
        .map(manager -> manager.isActive()
            ? Future.succeededFuture(new JsonObject().put("mode", "clustered").put("members", manager.getNodes().size())
                .put("node_id", manager.getNodeId()))
            : Future.<JsonObject>failedFuture("not a member of the cluster"))
        .orElseGet(() -> Future.succeededFuture(new JsonObject().put("mode", "standalone"))));
  }

  /** A named probe that readiness depends on: success (with optional details) is UP, failure DOWN with a reason. */
  public HealthEndpoints check(String name, Supplier<Future<JsonObject>> probe) {
    readiness.add(name);
    return informational(name, probe);
  }

  /**
   * A probe reported by the detailed endpoints but not by readiness: its failure (e.g. no worker
   * process alive) must not take this process out of its load balancer.
   */
  public HealthEndpoints informational(String name, Supplier<Future<JsonObject>> probe) {
    names.add(name);
    long timeout = CHECK_TIMEOUT_MS;
    checks.register(name, timeout, (Promise<Status> promise) -> {
      long started = System.nanoTime();
      Future<JsonObject> result;
      try {
        result = probe.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(details -> promise.complete(Status.OK(details.copy()
              .put("latency_ms", (System.nanoTime() - started) / 1_000_000))))
          .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("reason", reason(failure)))));
    });
    return this;
  }

  /** Mounts {@code /health} and {@code /health/ready} on the service's router. */
  public HealthEndpoints mount(Router router) {
    router.get(LIVENESS).handler(this::live);
    router.get(READINESS).handler(ctx -> respond(ctx, readiness));
    return this;
  }

  /** A handler that reports just the given checks (the web gateway's detailed endpoints). */
  public void respond(RoutingContext ctx, List<String> selected) {
    report(selected).onSuccess(report -> ctx.response()
        .setStatusCode("UP".equals(report.getString("status")) ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(report.encode()));
  }

  /** Runs the selected checks and folds them into {@code {"status", "service", "checks": {...}}}. */
  public Future<JsonObject> report(List<String> selected) {
    List<Future<JsonObject>> results = selected.stream()
        .map(name -> checks.checkStatus(name)
            .map(HealthEndpoints::describe)
            .otherwise(failure -> down(reason(failure))))
        .toList();
    return Future.join(results).otherwiseEmpty().map(ignored -> {
      JsonObject detail = new JsonObject();
      boolean up = true;
      for (int i = 0; i < selected.size(); i++) {
        JsonObject result = results.get(i).result();
        detail.put(selected.get(i), result);
        up &= "UP".equals(result.getString("status"));
      }
      return new JsonObject().put("status", up ? "UP" : "DOWN").put("service", service).put("checks", detail);
    });
  }

  public List<String> names() {
    return List.copyOf(names);
  }

  private void live(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("status", "UP").put("service", service).encode());
  }

  private static JsonObject describe(CheckResult result) {
    JsonObject data = result.getData() == null ? new JsonObject() : result.getData().copy();
    if (Boolean.TRUE.equals(result.getUp())) {
      return data.put("status", "UP");
    }
    if (!data.containsKey("reason")) {
      data.put("reason", result.getFailure() != null ? reason(result.getFailure()) : "check timed out");
    }
    return data.put("status", "DOWN");
  }

  private static JsonObject down(String reason) {
    return new JsonObject().put("status", "DOWN").put("reason", reason);
  }

  private static String reason(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }
}

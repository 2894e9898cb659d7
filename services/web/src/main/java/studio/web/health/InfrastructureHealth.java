package studio.web.health;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.List;
import studio.runtime.health.HealthEndpoints;
import studio.runtime.heartbeat.Instances;
import studio.web.api.Operations;

/**
 * The operators guide's detailed health set, under {@code /api/v1} and so behind web's authentication:
 * it names hosts, PIDs, task ids and raw database errors. Orchestrators probe the open
 * {@code /health} and {@code /health/ready} instead. {@code workers} is UP while at least one worker
 * process (task runner, download jobs) has beaten within {@link Instances#ALIVE_WINDOW}; it is not
 * part of web's readiness, since web serves pages and records work without any worker alive.
 */
public final class InfrastructureHealth {
  public static final String WORKERS = "workers";

  private InfrastructureHealth() {
  }

  public static void bind(Operations operations, HealthEndpoints health, Pool pool) {
    health.informational(WORKERS, () -> workers(pool));
    List<String> infrastructure = List.of(HealthEndpoints.POSTGRES, HealthEndpoints.REDIS, HealthEndpoints.CLUSTER);
    operations.bindHandler("getInfrastructureHealth", report(health, infrastructure))
        .bindHandler("getRedisHealth", report(health, List.of(HealthEndpoints.REDIS)))
        .bindHandler("getWorkersHealth", report(health, List.of(WORKERS)))
        .bindHandler("getFullHealth", report(health, health.names()));
  }

  private static Handler<RoutingContext> report(HealthEndpoints health, List<String> checks) {
    return ctx -> health.respond(ctx, checks);
  }

  private static Future<JsonObject> workers(Pool pool) {
    return Instances.alive(pool).compose(instances -> instances.isEmpty()
        ? Future.failedFuture("no worker heartbeat in the last " + Instances.ALIVE_WINDOW.toSeconds() + "s")
        : Future.succeededFuture(new JsonObject().put("instances", instances)));
  }
}

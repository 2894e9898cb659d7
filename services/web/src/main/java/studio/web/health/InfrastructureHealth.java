package studio.web.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.util.List;
import studio.runtime.health.HealthEndpoints;
import studio.runtime.heartbeat.Instances;

/**
 * The operators guide's detailed health set. {@code workers} is UP while at least one worker
 * process (task runner, download jobs) has beaten within {@link Instances#ALIVE_WINDOW}; it is not
 * part of web's readiness, since web serves pages and records work without any worker alive.
 */
public final class InfrastructureHealth {
  public static final String BASE = "/api/v1/infrastructure/health";
  public static final String WORKERS = "workers";

  private InfrastructureHealth() {
  }

  public static void mount(Router router, HealthEndpoints health, Pool pool) {
    health.informational(WORKERS, () -> workers(pool));
    List<String> infrastructure = List.of(HealthEndpoints.POSTGRES, HealthEndpoints.REDIS, HealthEndpoints.CLUSTER);
    router.get(BASE).handler(ctx -> health.respond(ctx, infrastructure));
    router.get(BASE + "/redis").handler(ctx -> health.respond(ctx, List.of(HealthEndpoints.REDIS)));
    router.get(BASE + "/workers").handler(ctx -> health.respond(ctx, List.of(WORKERS)));
    router.get(BASE + "/full").handler(ctx -> health.respond(ctx, health.names()));
  }

  private static Future<JsonObject> workers(Pool pool) {
    return Instances.alive(pool).compose(instances -> instances.isEmpty()
        ? Future.failedFuture("no worker heartbeat in the last " + Instances.ALIVE_WINDOW.toSeconds() + "s")
        : Future.succeededFuture(new JsonObject().put("instances", instances)));
  }
}

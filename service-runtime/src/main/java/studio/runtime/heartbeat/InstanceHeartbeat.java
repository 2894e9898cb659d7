package studio.runtime.heartbeat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.runtime.service.HostIdentity;

/**
 * Records "this worker process is alive" in {@code service_instance} every interval, so any
 * replica of web can tell operators which workers run. A missed beat is logged and retried on
 * the next tick; it never stops the service.
 */
public final class InstanceHeartbeat {
  public static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(InstanceHeartbeat.class);
  private static final String UPSERT = """
      INSERT INTO service_instance (instance_id, service, host, pid, started_at, last_seen_at, details)
      VALUES ($1, $2, $3, $4, $5, now(), $6)
      ON CONFLICT (instance_id) DO UPDATE SET last_seen_at = now(), details = EXCLUDED.details""";

  private final Vertx vertx;
  private final Pool pool;
  private final String service;
  private final Supplier<JsonObject> details;
  private final String instanceId = UUID.randomUUID().toString();
  private final OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);
  private long timer = -1;

  public InstanceHeartbeat(Vertx vertx, Pool pool, String service, Supplier<JsonObject> details) {
    this.vertx = vertx;
    this.pool = pool;
    this.service = service;
    this.details = details;
  }

  /** Beats once (so the instance is visible as soon as it is ready), then every {@link #INTERVAL}. */
  public Future<Void> start() {
    timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> beat()
        .onFailure(failure -> LOG.warn("heartbeat of {} {} failed, retrying in {}s: {}", service, instanceId,
            INTERVAL.toSeconds(), failure.getMessage())));
    return beat();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(timer);
    return pool.preparedQuery("DELETE FROM service_instance WHERE instance_id = $1").execute(Tuple.of(instanceId))
        .mapEmpty();
  }

  public String instanceId() {
    return instanceId;
  }

  private Future<Void> beat() {
    return pool.preparedQuery(UPSERT)
        .execute(Tuple.of(instanceId, service, HostIdentity.name(), ProcessHandle.current().pid(), startedAt, details.get()))
        .mapEmpty();
  }
}

package studio.downloads.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import studio.downloads.DownloadJobsVerticle;
import studio.downloads.DownloadsConfig;
import studio.downloadstore.DownloadJobStore;
import studio.downloadstore.DownloadRequest;
import studio.downloadstore.DownloadSignals;
import studio.outbox.OutboxVerticle;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.database.DatabaseConfig;
import studio.runtime.egress.EgressConfig;
import studio.runtime.egress.EgressNetwork;
import studio.runtime.service.ServiceContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import studio.testsupport.TestInfrastructure;

/**
 * The download service under test on real PostgreSQL: deploys it (again, for restart tests),
 * submits jobs the way web does (store + wake), and reads job rows and their outbox events.
 */
public final class DownloadService {
  private final Vertx vertx;
  private final Path workspace;
  private final Map<String, String> settings = new HashMap<>();
  private final Pool pool;
  private final DownloadJobStore store;
  private EgressNetwork network = EgressNetwork.SYSTEM;
  private String deployment;
  /** One registry over redeploys, as one process keeps. */
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public DownloadService(Vertx vertx, Path workspace, String hfEndpoint) throws Exception {
    this.vertx = vertx;
    this.workspace = workspace;
    DatabaseConfig database = new DatabaseConfig(TestInfrastructure.databaseUrl(), null, 4, Duration.ofSeconds(5), 3);
    join(Database.migrate(vertx, database));
    pool = Database.pool(vertx, database);
    store = new DownloadJobStore(pool);
    // Jobs left by earlier tests must not be picked up by this one's service.
    join(pool.query("UPDATE download_job SET status = 'failed', owner = NULL WHERE status IN ('queued', 'running')").execute());
    settings.putAll(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl(),
        "STUDIO_HTTP_HOST", "127.0.0.1",
        DownloadsConfig.PORT, "0",
        DownloadsConfig.WORKSPACE, workspace.toString(),
        DownloadsConfig.LEASE, "3s",
        DownloadsConfig.POLL_INTERVAL, "500ms",
        DownloadsConfig.RETRY_BACKOFF, "100ms",
        DownloadsConfig.MAX_REDIRECTS, "3",
        DownloadsConfig.HF_ENDPOINT, hfEndpoint,
        // The file servers of these tests are local: loopback is opened explicitly, the default refuses it.
        EgressConfig.ALLOWED_NETWORKS, "127.0.0.0/8"));
  }

  public static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  public DownloadService with(String knob, String value) {
    settings.put(knob, value);
    return this;
  }

  /** How the next deployment resolves and dials download URLs. */
  public DownloadService network(EgressNetwork network) {
    this.network = network;
    return this;
  }

  public MeterRegistry metrics() {
    return metrics;
  }

  public Path workspace() {
    return workspace;
  }

  public Pool pool() {
    return pool;
  }

  public DownloadJobStore store() {
    return store;
  }

  private String relay;

  public void deploy() throws Exception {
    Settings values = Settings.of(settings);
    if (relay == null) { // the process's one outbox relay outlives restarts of the service
      relay = join(vertx.deployVerticle(new OutboxVerticle(new ServiceContext(CommonConfig.from(values, false), null))));
    }
    deployment = join(vertx.deployVerticle(new DownloadJobsVerticle(
        new ServiceContext(CommonConfig.from(values, false), null, metrics), DownloadsConfig.from(values), network)));
  }

  /** A graceful stop, as on a restart: running jobs are handed back with their partial files. */
  public void undeploy() throws Exception {
    join(vertx.undeploy(deployment));
  }

  public long submit(JsonObject body) throws Exception {
    long id = join(store.create(DownloadRequest.fromJson(body))).getLong("id");
    DownloadSignals.wake(vertx, id);
    return id;
  }

  public JsonObject job(long id) throws Exception {
    return join(store.find(id));
  }

  public String status(long id) throws Exception {
    return job(id).getString("status");
  }

  public JsonObject cancel(long id, Boolean keepPartial) throws Exception {
    JsonObject job = join(store.requestCancel(id, keepPartial));
    DownloadSignals.cancel(vertx, id);
    return job;
  }

  /** The job's events in outbox order: each the draft with its type, version and payload. */
  public List<JsonObject> events(long id) throws Exception {
    List<JsonObject> events = new ArrayList<>();
    for (Row row : join(pool.preparedQuery("SELECT draft FROM outbox WHERE draft->>'entity_kind' = 'download_job' "
        + "AND draft->>'entity_id' = $1 ORDER BY id").execute(Tuple.of(Long.toString(id))))) {
      events.add(row.getJsonObject("draft"));
    }
    return events;
  }
}

package studio.downloads;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import studio.downloads.huggingface.HubListing;
import studio.downloads.job.JobScheduler;
import studio.downloads.job.JobTools;
import studio.downloads.queue.JobQueue;
import studio.downloads.workspace.Workspace;
import studio.downloads.transfer.FileTransfer;
import studio.downloads.transfer.HttpFetcher;
import studio.outbox.OutboxVerticle;
import studio.runtime.egress.EgressNetwork;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.WorkerRuntime;

/** Download jobs: fetches models and artifacts into the workspace, publishing progress as it goes. */
public final class DownloadJobsVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "download-jobs";
  private final ServiceContext context;
  private final DownloadsConfig config;
  private final EgressNetwork network;
  private WorkerRuntime runtime;
  private HttpFetcher fetcher;
  private JobScheduler scheduler;

  public DownloadJobsVerticle(ServiceContext context, DownloadsConfig config) {
    this(context, config, EgressNetwork.SYSTEM);
  }

  /** {@code network}: how download URLs are resolved and dialed; tests substitute a recording one. */
  public DownloadJobsVerticle(ServiceContext context, DownloadsConfig config, EgressNetwork network) {
    this.context = context;
    this.config = config;
    this.network = network;
  }

  @Override
  public Future<?> start() {
    runtime = new WorkerRuntime(vertx, context, SERVICE, config.port());
    fetcher = new HttpFetcher(vertx, config, network, context.metrics());
    Workspace workspace = new Workspace(vertx, config.workspaceUnder(context.config().dataDirectory()));
    // Leases carry the heartbeat's instance id, so operators can tell which live worker holds a job.
    JobQueue queue = new JobQueue(runtime.pool(), runtime.instanceId(), config.lease());
    scheduler = new JobScheduler(new JobTools(vertx, config, queue, workspace, new FileTransfer(vertx, fetcher, config),
        new HubListing(fetcher, config.hfEndpoint()), () -> OutboxVerticle.wake(vertx)));
    return workspace.create()
        .compose(created -> runtime.start())
        .compose(started -> scheduler.start());
  }

  @Override
  public Future<?> stop() {
    return scheduler.stop()
        .eventually(fetcher::close)
        .eventually(runtime::stop);
  }

  @Override
  public int actualPort() {
    return runtime == null ? -1 : runtime.actualPort();
  }
}

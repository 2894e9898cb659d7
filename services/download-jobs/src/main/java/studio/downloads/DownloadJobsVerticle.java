package studio.downloads;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import studio.outbox.OutboxRelay;
import studio.runtime.service.HttpService;
import studio.runtime.service.ServiceContext;
import studio.runtime.service.WorkerRuntime;

/** Download jobs: fetches models and artifacts into the workspace, publishing progress as it goes. */
public final class DownloadJobsVerticle extends VerticleBase implements HttpService {
  public static final String SERVICE = "download-jobs";
  private final ServiceContext context;
  private final DownloadsConfig config;
  private WorkerRuntime runtime;
  private OutboxRelay outbox;

  public DownloadJobsVerticle(ServiceContext context, DownloadsConfig config) {
    this.context = context;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    runtime = new WorkerRuntime(vertx, context, SERVICE, config.port());
    outbox = OutboxRelay.toHub(vertx, runtime.pool(), context.config().outboxPollInterval());
    return runtime.start().onSuccess(started -> outbox.start());
  }

  @Override
  public Future<?> stop() {
    outbox.stop();
    return runtime.stop();
  }

  @Override
  public int actualPort() {
    return runtime == null ? -1 : runtime.actualPort();
  }
}

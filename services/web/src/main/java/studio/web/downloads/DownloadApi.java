package studio.web.downloads;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import studio.downloadstore.DownloadEvents;
import studio.downloadstore.DownloadSignals;
import studio.downloadstore.DownloadJobStore;
import studio.downloadstore.DownloadRequest;
import studio.web.api.ApiContext;
import studio.web.api.ApiRouter;
import studio.web.api.Hydration;
import studio.web.api.Operations;
import studio.web.api.Replies;
import studio.web.api.Validated;

/**
 * Download jobs under {@code /api/v1/downloads}: submit (validated here, so a bad URL or an
 * escaping path is a 400 at once), list, read with room cursors for a gap-free first paint, and
 * cancel. Writes go to PostgreSQL and wake the download service over the event bus; progress
 * arrives as events in room {@code download_job:<id>}.
 */
public final class DownloadApi {
  public static final int DEFAULT_PAGE = 20;
  private final ApiContext features;
  private final DownloadJobStore store;

  private DownloadApi(ApiContext features) {
    this.features = features;
    this.store = new DownloadJobStore(features.pool());
  }

  public static void bind(Operations operations, ApiContext features) {
    DownloadApi downloads = new DownloadApi(features);
    operations.bind("submitDownload", downloads::submit)
        .bind("listDownloads", downloads::list)
        .bind("getDownload", downloads::show)
        .bind("cancelDownload", downloads::cancel);
  }

  private Future<Void> submit(RoutingContext ctx) {
    DownloadRequest request = DownloadRequest.fromJson(Validated.body(ctx));
    return store.create(request).compose(job -> {
      DownloadSignals.wake(features.vertx(), job.getLong("id"));
      ctx.response().putHeader("Location", ApiRouter.PREFIX + "/downloads/" + job.getLong("id"));
      return Replies.accepted(ctx, job);
    });
  }

  private Future<Void> list(RoutingContext ctx) {
    Long limit = Validated.queryLong(ctx, "limit");
    return store.list(limit == null ? DEFAULT_PAGE : limit.intValue(), Validated.queryLong(ctx, "before")).compose(page -> Replies.ok(ctx, page));
  }

  private Future<Void> show(RoutingContext ctx) {
    long id = Validated.id(ctx);
    return Hydration.read(features.hub(), List.of(DownloadEvents.room(id)), () -> store.find(id))
        .compose(job -> Replies.ok(ctx, job));
  }

  private Future<Void> cancel(RoutingContext ctx) {
    long id = Validated.id(ctx);
    // Left out, the job's own keep_partial (given at submit) decides.
    Boolean keepPartial = Validated.body(ctx).getBoolean("keep_partial");
    return store.requestCancel(id, keepPartial).compose(job -> {
      DownloadSignals.cancel(features.vertx(), id);
      return Replies.accepted(ctx, job);
    });
  }
}

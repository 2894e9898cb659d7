package studio.web.downloads;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.downloadstore.DownloadEvents;
import studio.downloadstore.DownloadSignals;
import studio.downloadstore.DownloadJobStore;
import studio.downloadstore.DownloadRequest;
import studio.web.api.ApiContext;
import studio.web.api.ApiRouter;
import studio.web.api.Hydration;
import studio.web.api.JsonBodies;
import studio.web.api.Replies;

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

  public static void mount(Router api, ApiContext features) {
    DownloadApi downloads = new DownloadApi(features);
    api.post("/downloads").handler(ApiRouter.endpoint(downloads::submit));
    api.get("/downloads").handler(ApiRouter.endpoint(downloads::list));
    api.get("/downloads/:id").handler(ApiRouter.endpoint(downloads::show));
    api.post("/downloads/:id/cancel").handler(ApiRouter.endpoint(downloads::cancel));
  }

  private Future<Void> submit(RoutingContext ctx) {
    DownloadRequest request = DownloadRequest.fromJson(JsonBodies.require(ctx));
    return store.create(request).compose(job -> {
      DownloadSignals.wake(features.vertx(), job.getLong("id"));
      ctx.response().putHeader("Location", ApiRouter.PREFIX + "/downloads/" + job.getLong("id"));
      return Replies.accepted(ctx, job);
    });
  }

  private Future<Void> list(RoutingContext ctx) {
    int limit = (int) queryNumber(ctx, "limit", DEFAULT_PAGE, DownloadJobStore.MAX_PAGE);
    long before = queryNumber(ctx, "before", 0, Long.MAX_VALUE);
    return store.list(limit, before == 0 ? null : before).compose(page -> Replies.ok(ctx, page));
  }

  private Future<Void> show(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    return Hydration.read(features.hub(), List.of(DownloadEvents.room(id)), () -> store.find(id))
        .compose(job -> Replies.ok(ctx, job));
  }

  private Future<Void> cancel(RoutingContext ctx) {
    long id = JsonBodies.pathId(ctx, "id");
    Boolean keepPartial = keepPartial(ctx);
    return store.requestCancel(id, keepPartial).compose(job -> {
      DownloadSignals.cancel(features.vertx(), id);
      return Replies.accepted(ctx, job);
    });
  }

  /** The cancel body is optional; when given it may say {@code {"keep_partial": true}}. */
  private static Boolean keepPartial(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() <= 0) {
      return null;
    }
    Object value = JsonBodies.require(ctx).getValue("keep_partial");
    if (value != null && !(value instanceof Boolean)) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "keep_partial", "must be true or false");
    }
    return (Boolean) value;
  }

  private static long queryNumber(RoutingContext ctx, String name, long defaultValue, long max) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) {
      return defaultValue;
    }
    try {
      long value = Long.parseLong(raw);
      if (value >= 1 && value <= max) {
        return value;
      }
    } catch (NumberFormatException notANumber) {
      // refused below
    }
    throw new ContractException(ErrorCode.INVALID_REQUEST, name, "must be an integer 1-" + max + ", got \"" + raw + "\"");
  }
}

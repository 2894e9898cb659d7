package studio.hub.ingress;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import studio.contract.envelope.DraftEvent;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.auth.WorkerBearer;
import studio.runtime.service.ErrorResponses;

/**
 * {@code POST /api/v1/events} for workers that are not on the event bus: bearer
 * {@code WORKER_SHARED_SECRET}, body a draft (202 with the envelope) or a batch {@code {"events": [draft, ...]}}
 * (202 with one result per draft, {@link PublishService#resultsJsonText}), or the one JSON error shape.
 */
public final class HttpIngress {
  public static final String PATH = "/api/v1/events";
  /** The draft's own limit plus room for its envelope fields. */
  public static final int BODY_LIMIT = DraftEvent.MAX_BODY_BYTES + 16 * 1024;

  private final PublishService publisher;
  private final PublishLimits limits;

  private HttpIngress(PublishService publisher, PublishLimits limits) {
    this.publisher = publisher;
    this.limits = limits;
  }

  public static void mount(Router router, PublishService publisher, String workerSecret, PublishLimits limits) {
    HttpIngress ingress = new HttpIngress(publisher, limits);
    router.post(PATH).handler(new WorkerBearer(workerSecret));
    router.post(PATH).handler(HttpIngress::requireJson);
    // Read up to the larger limit; which one applies is known once the body says whether it is a batch.
    router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(Math.max(BODY_LIMIT, limits.batchBytes())));
    router.post(PATH).handler(ingress::publish);
    router.post(PATH).failureHandler(ingress::failed);
  }

  private static void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be application/json"));
      return;
    }
    ctx.next();
  }

  private void publish(RoutingContext ctx) {
    JsonObject draft;
    try {
      draft = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.INVALID_REQUEST, "body is not a JSON object"));
      return;
    }
    boolean batch = draft != null && PublishService.isBatch(draft);
    int limit = batch ? limits.batchBytes() : BODY_LIMIT;
    if (ctx.body().length() > limit) {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.TOO_LARGE, "body exceeds " + limit + " bytes"
          + (batch ? " (" + PublishLimits.BATCH_BYTES + ")" : "")));
      return;
    }
    if (batch) {
      publisher.publishBatch(draft, limits)
          .onSuccess(publications -> ctx.response().setStatusCode(202)
              .putHeader("Content-Type", "application/json")
              .end(PublishService.resultsJsonText(publications)))
          .onFailure(failure -> ErrorResponses.send(ctx, (ContractException) failure));
      return;
    }
    publisher.publish(draft, ctx.body().length())
        .onSuccess(publication -> ctx.response().setStatusCode(202)
            .putHeader("Content-Type", "application/json")
            .putHeader("Idempotent-Replay", String.valueOf(publication.duplicate()))
            .end(publication.envelopeJson()))
        .onFailure(failure -> ErrorResponses.send(ctx, (ContractException) failure));
  }

  private void failed(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.TOO_LARGE, "body exceeds "
          + Math.max(BODY_LIMIT, limits.batchBytes()) + " bytes"));
    } else if (ctx.statusCode() == 400) {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.INVALID_REQUEST, "malformed request body"));
    } else {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.INTERNAL, "could not publish"));
    }
  }
}

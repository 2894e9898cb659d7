package studio.web.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatorException;
import java.util.List;
import java.util.function.Function;
import studio.runtime.service.ErrorResponses;
import studio.web.serving.RequestLog;

/**
 * The operations of {@code docs/openapi.yaml}, each bound by its {@code operationId} to an endpoint
 * by the feature that owns it ({@code TaskApi.bind} binds {@code submitTask}, {@code listTasks}, ...).
 * The router built from them ({@link ApiRouter#create}) matches the document's paths and checks each
 * request's parameters and body against its schemas before the endpoint runs, so an endpoint reads
 * {@link Validated} input; it refuses to build while an operation has no endpoint.
 */
public final class Operations {
  private final RouterBuilder builder;

  private Operations(RouterBuilder builder) {
    this.builder = builder;
  }

  /** The body is read by the API's own BodyHandler first, which enforces the body limit. */
  public static Operations of(Vertx vertx, OpenAPIContract contract) {
    return new Operations(RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler()));
  }

  /**
   * An endpoint that answers through {@link Replies}; a thrown or failed
   * {@link studio.contract.error.ContractException} becomes its answer.
   */
  public Operations bind(String operationId, Function<RoutingContext, Future<?>> endpoint) {
    return bindHandler(operationId, ctx -> {
      if (ctx.response().closed()) {
        // The client hung up before its request got here (validation runs on a worker): no work for nobody.
        return;
      }
      IdempotentRequest idempotent = IdempotentRequest.of(ctx);
      Future<?> answered;
      if (idempotent != null) {
        idempotent.endpointStarted();
      }
      try {
        answered = endpoint.apply(ctx);
      } catch (RuntimeException refused) {
        answered = Future.failedFuture(refused);
      }
      answered.onComplete(ended -> {
        if (idempotent != null) {
          idempotent.endpointEnded();
        }
      }).onFailure(ctx::fail);
    });
  }

  /** A handler that writes its answer itself (the health reports). */
  public Operations bindHandler(String operationId, Handler<RoutingContext> handler) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) {
      throw new IllegalArgumentException("docs/openapi.yaml has no operation " + operationId);
    }
    if (!route.getHandlers().isEmpty()) {
      throw new IllegalStateException("operation " + operationId + " is bound twice");
    }
    // Who may call is configuration (STUDIO_AUTH_MODE), enforced for the whole API by ApiRouter's gates.
    route.setDoSecurity(false)
        .addHandler(ctx -> {
          RequestLog.markRoute(ctx);
          handler.handle(ctx);
        })
        .addFailureHandler(Operations::refuseInvalid);
    return this;
  }

  /**
   * The router answers a request the contract refused with a 400 carrying vertx-openapi's exception;
   * here, where the route's path parameters are known, it becomes the API's error shape. Other
   * failures go on to {@link ApiRouter}'s failure handler.
   */
  private static void refuseInvalid(RoutingContext ctx) {
    // The endpoint never ran: label the metrics with the route all the same.
    RequestLog.markRoute(ctx);
    if (ctx.failure() instanceof HttpException http && http.getCause() instanceof ValidatorException refused) {
      ErrorResponses.send(ctx, ContractRefusals.of(ctx, refused));
    } else {
      ctx.next();
    }
  }

  /** The operationIds no feature has bound. */
  public List<String> unbound() {
    return builder.getRoutes().stream()
        .filter(route -> route.getHandlers().isEmpty())
        .map(route -> route.getOperation().getOperationId())
        .sorted()
        .toList();
  }

  RouterBuilder builder() {
    return builder;
  }
}

package studio.web.serving;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.service.ErrorResponses;

/** Answers 504 with the JSON error shape when a request is not answered in time (Gunicorn's timeout). */
public final class RequestTimeout implements Handler<RoutingContext> {
  private final long millis;

  public RequestTimeout(Duration timeout) {
    this.millis = timeout.toMillis();
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (millis > 0) {
      long timer = ctx.vertx().setTimer(millis, fired -> {
        if (!ctx.response().ended() && !ctx.response().headWritten()) {
          ErrorResponses.send(ctx, new ContractException(ErrorCode.TIMEOUT,
              "the request took longer than " + millis + " ms"));
        }
      });
      ctx.addEndHandler(ended -> ctx.vertx().cancelTimer(timer));
    }
    ctx.next();
  }
}

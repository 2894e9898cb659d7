package studio.web.support;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/** Waits for a future from the test thread (never an event loop). */
public final class Await {
  private Await() {
  }

  public static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

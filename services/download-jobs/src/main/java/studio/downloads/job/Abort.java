package studio.downloads.job;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;

/**
 * Stops a running job at once: resets the request in flight (so its stream fails immediately) and
 * ends any backoff wait. Cancelled jobs end as cancelled; abandoned ones (lease lost, shutdown) end
 * nothing, as another worker resumes them. Used from the verticle's event loop only.
 */
public final class Abort {
  public enum Reason { CANCELLED, ABANDONED }

  /** The failure an aborted step ends with. */
  public static final class Aborted extends RuntimeException {
    private final Reason reason;

    Aborted(Reason reason) {
      super("download " + reason.name().toLowerCase(), null, false, false);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  private Reason reason;
  private HttpClientRequest inFlight;
  private Runnable wakeSleeper;

  public boolean aborted() {
    return reason != null;
  }

  public Reason reason() {
    return reason;
  }

  public void abort(Reason why) {
    if (reason != null) {
      return;
    }
    reason = why;
    if (inFlight != null) {
      inFlight.reset(0, new Aborted(why));
    }
    if (wakeSleeper != null) {
      wakeSleeper.run();
    }
  }

  /** Fails with {@link Aborted} once aborted; a step calls it before starting anything new. */
  public void check() {
    if (reason != null) {
      throw new Aborted(reason);
    }
  }

  public Aborted failure() {
    return new Aborted(reason);
  }

  /** The request to reset on abort; set before sending it. */
  public void watch(HttpClientRequest request) {
    inFlight = request;
    if (reason != null) {
      request.reset(0, new Aborted(reason));
    }
  }

  /** A backoff wait that ends early, failing with {@link Aborted}, when the job is aborted meanwhile. */
  public Future<Void> sleep(Vertx vertx, long millis) {
    check();
    Promise<Void> woken = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, millis), fired -> woken.tryComplete());
    wakeSleeper = () -> {
      vertx.cancelTimer(timer);
      woken.tryFail(failure());
    };
    return woken.future().onComplete(done -> wakeSleeper = null);
  }
}

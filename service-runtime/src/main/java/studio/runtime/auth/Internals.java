package studio.runtime.auth;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import studio.runtime.config.Settings;
import studio.runtime.config.StudioEnvironment;

/**
 * Who may read a service's internals on its own port ({@code /metrics}, the hub's counters): anyone
 * only in development with {@code STUDIO_AUTH_MODE=none}; otherwise a caller presenting the worker
 * secret as bearer. Scrapers that should hold no secret read {@code /metrics} on the management port
 * ({@code STUDIO_MANAGEMENT_PORT}), which no shipped proxy routes.
 */
public final class Internals {
  /** The knob web's AuthConfig validates; services without users only need to know whether anyone signs in. */
  public static final String AUTH_MODE = "STUDIO_AUTH_MODE";

  private Internals() {
  }

  /** Open only in development without sign-in; production is guarded whatever a process was told. */
  public static boolean open(Settings settings) {
    return StudioEnvironment.from(settings) == StudioEnvironment.DEVELOPMENT
        && "none".equalsIgnoreCase(settings.string(AUTH_MODE, "none").trim());
  }

  /** A route handler: passes everything when {@code open}, else only the worker secret's bearer. */
  public static Handler<RoutingContext> guard(boolean open, String workerSecret) {
    return open ? RoutingContext::next : new WorkerBearer(workerSecret);
  }
}

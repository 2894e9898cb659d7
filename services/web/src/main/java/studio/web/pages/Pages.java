package studio.web.pages;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import studio.web.proxy.ExternalRequest;

/** The pages under {@code /app/}; {@code /} redirects there with the external scheme, host and prefix. */
public final class Pages {
  public static final String ROOT = "/app/";

  private Pages() {
  }

  public static void mount(Router router) {
    router.get("/").handler(ctx -> ctx.redirect(ExternalRequest.of(ctx).url(ROOT)));
    router.route(ROOT + "*").handler(StaticHandler.create("webroot/app").setCachingEnabled(false));
  }
}

package studio.web.assets;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Files under {@code webroot} on the classpath, at {@code /static/*}: the realtime JS client (copied
 * from {@code clients/js} by the build), its vendored SockJS, and the pages' scripts and styles.
 */
public final class StaticAssets {
  public static final String PREFIX = "/static";
  /**
   * Short, because asset names carry no version: a deploy's new client reaches every browser within
   * minutes, and Last-Modified revalidation keeps the repeat cost to a 304.
   */
  static final long MAX_AGE_SECONDS = 300;

  private StaticAssets() {
  }

  public static void mount(Router router) {
    router.route(PREFIX + "/*").handler(StaticHandler.create("webroot")
        .setMaxAgeSeconds(MAX_AGE_SECONDS)
        .setDirectoryListing(false)
        .setIncludeHidden(false));
  }
}

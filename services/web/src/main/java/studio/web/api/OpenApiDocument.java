package studio.web.api;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * Serves {@code docs/openapi.yaml} (copied onto the classpath by the build, so the served and the
 * checked-in document are the same file) at {@code /api/v1/openapi.yaml}, without authentication.
 */
public final class OpenApiDocument {
  public static final String CLASSPATH = "openapi/openapi.yaml";
  public static final String PATH = ApiRouter.PREFIX + "/openapi.yaml";

  private OpenApiDocument() {
  }

  public static void mount(Vertx vertx, Router router) {
    router.get(PATH).handler(ctx -> vertx.fileSystem().readFile(CLASSPATH)
        .onSuccess(document -> ctx.response().putHeader("Content-Type", "application/yaml").end(document))
        .onFailure(ctx::fail));
  }
}

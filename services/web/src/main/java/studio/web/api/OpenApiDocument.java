package studio.web.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code docs/openapi.yaml}, copied onto the classpath by the build: served as it is at
 * {@code /api/v1/openapi.yaml} without authentication, and read as the contract that routes and
 * validates every {@code /api/v1} request ({@link Operations}). One file, so the document cannot
 * drift from what the API accepts.
 */
public final class OpenApiDocument {
  public static final String CLASSPATH = "openapi/openapi.yaml";
  public static final String PATH = ApiRouter.PREFIX + "/openapi.yaml";
  /** The document's own operation, answered by {@link #mount} ahead of the API's authentication. */
  static final String SELF = "/openapi.yaml";
  /**
   * vertx-openapi 5.0.7 takes only the path of a server URL but insists the URL be absolute; the
   * document keeps the relative {@code /api/v1}, which is right wherever Studio is hosted.
   */
  private static final String SERVER_ORIGIN = "http://studio.invalid";

  private OpenApiDocument() {
  }

  /** Read once per verticle (the jar does not change under it), not on every request. */
  public static void mount(Vertx vertx, Router router) {
    Future<Buffer> document = vertx.fileSystem().readFile(CLASSPATH);
    router.get(PATH).handler(ctx -> document
        .onSuccess(yaml -> ctx.response().putHeader("Content-Type", "application/yaml").end(yaml))
        .onFailure(ctx::fail));
  }

  /**
   * The contract the {@code /api/v1} router is built from. Reading and checking the document takes
   * a few hundred milliseconds, once per verticle start, off the event loop.
   */
  public static Future<OpenAPIContract> contract(Vertx vertx) {
    return vertx.fileSystem().readFile(CLASSPATH)
        .compose(yaml -> vertx.executeBlocking(() -> routable(yaml)))
        .compose(document -> OpenAPIContract.from(vertx, document));
  }

  /**
   * The document as the router needs it: without its own path (public, served by {@link #mount};
   * vertx-openapi cannot describe an {@code application/yaml} answer anyway), and with absolute
   * server URLs.
   */
  private static JsonObject routable(Buffer yaml) {
    Map<String, Object> parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml.toString());
    JsonObject document = new JsonObject(Json.encode(parsed));
    document.getJsonObject("paths").remove(SELF);
    JsonArray servers = document.getJsonArray("servers", new JsonArray());
    for (int i = 0; i < servers.size(); i++) {
      JsonObject server = servers.getJsonObject(i);
      if (server.getString("url").startsWith("/")) {
        server.put("url", SERVER_ORIGIN + server.getString("url"));
      }
    }
    return document;
  }
}

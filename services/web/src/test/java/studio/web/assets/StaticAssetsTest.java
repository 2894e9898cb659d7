package studio.web.assets;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;
import studio.testsupport.HttpClients;
import studio.testsupport.TestInfrastructure;
import studio.web.WebConfig;
import studio.web.WebVerticle;

/** The web gateway serves the realtime client and its vendored SockJS as cacheable JavaScript. */
@ExtendWith(VertxExtension.class)
class StaticAssetsTest {
  private WebVerticle web;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext test) {
    CommonConfig common = CommonConfig.from(Settings.of(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl(),
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "STUDIO_HTTP_HOST", "127.0.0.1")), false);
    web = new WebVerticle(new ServiceContext(common, null), WebConfig.defaults(0));
    test.assertComplete(Database.migrate(vertx, common.database()).compose(done -> vertx.deployVerticle(web)))
        .onComplete(test.succeedingThenComplete());
  }

  @AfterEach
  void undeploy(Vertx vertx, VertxTestContext test) {
    vertx.close().onComplete(test.succeedingThenComplete());
  }

  private WebClient client(Vertx vertx) {
    return HttpClients.of(vertx);
  }

  @Test
  @DisplayName("the realtime client module is served from /static/js as JavaScript with a max-age and Last-Modified")
  void clientModule(Vertx vertx, VertxTestContext test) {
    client(vertx).get(web.actualPort(), "127.0.0.1", "/static/js/studio-realtime.js").send()
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("Content-Type")).contains("javascript");
          assertThat(response.getHeader("Cache-Control")).contains("max-age=" + StaticAssets.MAX_AGE_SECONDS);
          assertThat(response.getHeader("Last-Modified")).isNotBlank();
          assertThat(response.bodyAsString()).contains("export function connect(");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a revalidation with If-Modified-Since gets 304 and no body")
  void revalidation(Vertx vertx, VertxTestContext test) {
    String path = "/static/js/studio-realtime.js";
    client(vertx).get(web.actualPort(), "127.0.0.1", path).send()
        .compose((HttpResponse<Buffer> first) -> client(vertx).get(web.actualPort(), "127.0.0.1", path)
            .putHeader("If-Modified-Since", first.getHeader("Last-Modified")).send())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(304);
          assertThat(response.body() == null || response.body().length() == 0).isTrue();
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("the vendored SockJS client is served as JavaScript with its MIT license header intact")
  void vendoredSockJs(Vertx vertx, VertxTestContext test) {
    client(vertx).get(web.actualPort(), "127.0.0.1", "/static/js/vendor/sockjs.min.js").send()
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("Content-Type")).contains("javascript");
          assertThat(response.bodyAsString()).startsWith("/* sockjs-client v1.6.1 | http://sockjs.org | MIT license */");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("directories are not listed and missing files are 404")
  void noListing(Vertx vertx, VertxTestContext test) {
    client(vertx).get(web.actualPort(), "127.0.0.1", "/static/js/").send()
        .compose(listing -> {
          test.verify(() -> assertThat(listing.statusCode()).isEqualTo(404));
          return client(vertx).get(web.actualPort(), "127.0.0.1", "/static/js/missing.js").send();
        })
        .onComplete(test.succeeding(missing -> test.verify(() -> {
          assertThat(missing.statusCode()).isEqualTo(404);
          test.completeNow();
        })));
  }
}

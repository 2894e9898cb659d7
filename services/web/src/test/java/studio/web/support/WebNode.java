package studio.web.support;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import studio.outbox.OutboxVerticle;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.database.Database;
import studio.runtime.service.ServiceContext;
import studio.testsupport.TestInfrastructure;
import studio.web.WebConfig;
import studio.web.WebHousekeeping;
import studio.web.WebVerticle;

/** One web gateway on a free port against the test PostgreSQL and Redis, configured like an operator would. */
public final class WebNode {
  public static final String JWT_SECRET = "web-test-secret-0123456789abcdef0123";
  public final Vertx vertx;
  public final WebVerticle web;
  public final ServiceContext context;
  private final WebClient client;

  private WebNode(Vertx vertx, WebVerticle web, ServiceContext context) {
    this.vertx = vertx;
    this.web = web;
    this.context = context;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(web.actualPort()).setFollowRedirects(false));
  }

  public static WebNode deploy(Vertx vertx, Map<String, String> extra) throws Exception {
    Map<String, Object> values = new HashMap<>(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl(),
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "JWT_SECRET_KEY", JWT_SECRET,
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_HTTP_PORT", "0",
        "STUDIO_GRACEFUL_TIMEOUT", "2s"));
    values.putAll(extra);
    Settings settings = Settings.of(values);
    CommonConfig common = CommonConfig.from(settings, false);
    ServiceContext context = new ServiceContext(common, null);
    WebVerticle web = new WebVerticle(context, WebConfig.from(settings));
    Database.migrate(vertx, common.database())
        .compose(migrated -> vertx.deployVerticle(new OutboxVerticle(context)))
        .compose(relay -> vertx.deployVerticle(new WebHousekeeping(context)))
        .compose(housekeeping -> vertx.deployVerticle(web))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new WebNode(vertx, web, context);
  }

  public int port() {
    return web.actualPort();
  }

  /** A client pointed at this node that does not follow redirects (tests look at Location). */
  public WebClient client() {
    return client;
  }
}

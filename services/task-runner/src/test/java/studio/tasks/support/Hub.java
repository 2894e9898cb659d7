package studio.tasks.support;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import studio.hub.HubConfig;
import studio.hub.HubVerticle;
import studio.runtime.auth.RealtimeTokens;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.service.ServiceContext;
import studio.testsupport.RealtimeClient;
import studio.testsupport.TestInfrastructure;

/** A real socket hub on the test Redis, deployed beside the runner so its outbox relay reaches it over the bus. */
public final class Hub {
  private static final String SECRET = "test-secret-0123456789abcdef0123456789";
  public final HubVerticle verticle;
  private final Vertx vertx;

  private Hub(Vertx vertx, HubVerticle verticle) {
    this.vertx = vertx;
    this.verticle = verticle;
  }

  public static Hub deploy(Vertx vertx) {
    Settings settings = Settings.of(Map.of(
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "JWT_SECRET_KEY", SECRET,
        "WORKER_SHARED_SECRET", "worker-secret-0123456789abcdef0123456789",
        "STUDIO_HTTP_HOST", "127.0.0.1",
        "STUDIO_HUB_PORT", "0",
        "STUDIO_CORS_ALLOWED_ORIGINS", RealtimeClient.PAGE_ORIGIN,
        "STUDIO_GRACEFUL_TIMEOUT", "2s"));
    HubVerticle hub = new HubVerticle(new ServiceContext(CommonConfig.from(settings, false), null), HubConfig.from(settings));
    TaskDatabase.await(vertx.deployVerticle(hub));
    return new Hub(vertx, hub);
  }

  public RealtimeClient connect(String... rooms) throws Exception {
    String token = RealtimeTokens.create(vertx, SECRET).mint("tester", List.of(rooms), Duration.ofHours(1));
    RealtimeClient client = RealtimeClient.open(vertx, verticle.actualPort(), "/rt/ws?token=" + token);
    client.awaitFrame(frame -> "connected".equals(frame.getString("op")));
    return client;
  }
}

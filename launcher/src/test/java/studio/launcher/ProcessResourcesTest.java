package studio.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import studio.outbox.OutboxRelay;
import studio.runtime.config.Settings;
import studio.runtime.database.DatabaseConfig;
import studio.testsupport.TestInfrastructure;
import studio.web.WebHousekeeping;

/**
 * What one process holds however many event-loop instances web runs, beside the task runner and
 * download jobs: one PostgreSQL pool of {@code STUDIO_DATABASE_POOL_SIZE} connections, one outbox
 * relay, one idempotency-key expiry.
 */
@ExtendWith(VertxExtension.class)
class ProcessResourcesTest {
  private static final int INSTANCES = 4;
  private static final int POOL_SIZE = 2;
  private static final int CONCURRENT_REQUESTS = 64;
  private final String application = "studio-process-test-" + UUID.randomUUID().toString().substring(0, 8);
  private final Logger relayLog = (Logger) LoggerFactory.getLogger(OutboxRelay.class);
  private final Logger housekeepingLog = (Logger) LoggerFactory.getLogger(WebHousekeeping.class);
  private final ListAppender<ILoggingEvent> relayLines = new ListAppender<>();
  private StudioStack stack;
  @TempDir
  Path dataDir;

  @BeforeEach
  void start() throws Exception {
    relayLines.start();
    relayLog.addAppender(relayLines);
    housekeepingLog.addAppender(relayLines);
    stack = StudioStack.start(StudioConfig.from(Settings.of(Map.of(
        "DATABASE_URL", TestInfrastructure.databaseUrl() + "?application_name=" + application,
        "REDIS_URL", TestInfrastructure.redisUrl(),
        "STUDIO_HTTP_HOST", "127.0.0.1", "STUDIO_HTTP_PORT", "0",
        "STUDIO_TASKS_PORT", "0", "STUDIO_DOWNLOADS_PORT", "0", "STUDIO_DATA_DIR", dataDir.toString(),
        "STUDIO_HTTP_INSTANCES", String.valueOf(INSTANCES),
        "STUDIO_DATABASE_POOL_SIZE", String.valueOf(POOL_SIZE))), false), EnumSet.of(ServiceName.WEB, ServiceName.TASKS, ServiceName.DOWNLOADS));
  }

  @AfterEach
  void stop() throws Exception {
    relayLog.detachAppender(relayLines);
    housekeepingLog.detachAppender(relayLines);
    stack.close();
  }

  @Test
  @DisplayName("web's instances share one pool: under concurrent load on every instance PostgreSQL sees at most STUDIO_DATABASE_POOL_SIZE connections")
  void onePoolPerProcess(Vertx vertx) throws Exception {
    // Each request on its own TCP connection, so the server spreads them over all instances; each reads PostgreSQL.
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(stack.ports().get(ServiceName.WEB)), new PoolOptions().setHttp1MaxSize(CONCURRENT_REQUESTS));
    for (int round = 0; round < 3; round++) {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < CONCURRENT_REQUESTS; i++) {
        answers.add(client.request(HttpMethod.GET, "/health/ready").compose(request -> request.send())
            .map(response -> response.statusCode()));
      }
      Future.all(answers).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(answers).allMatch(answer -> answer.result() == 200);
    }
    assertThat(connectionsNamed(application)).isBetween(1, POOL_SIZE);
  }

  @Test
  @DisplayName("web's instances, the task runner and download jobs share one outbox relay, and web one Idempotency-Key expiry: the process starts each once")
  void oneRelayPerProcess() {
    assertThat(relayLines.list).filteredOn(line -> line.getFormattedMessage().startsWith("outbox relay started"))
        .hasSize(1);
    assertThat(relayLines.list).filteredOn(line -> line.getFormattedMessage().startsWith("web housekeeping started"))
        .hasSize(1);
  }

  private static int connectionsNamed(String application) throws Exception {
    DatabaseConfig database = new DatabaseConfig(TestInfrastructure.databaseUrl(), null, 1, Duration.ofSeconds(5), 0);
    try (Connection connection = database.dataSource().getConnection();
         PreparedStatement query = connection.prepareStatement(
             "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
      query.setString(1, application);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }
}

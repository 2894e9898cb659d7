package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.Addresses;
import studio.contract.bus.RedisStreams;
import studio.contract.error.ErrorCode;
import studio.contract.frame.Frames;
import studio.hub.support.HubNode;
import studio.hub.support.Tokens;
import studio.testsupport.HttpClients;
import studio.testsupport.RealtimeClient;
import studio.testsupport.TestInfrastructure;

/** A worker's own event type ({@code x.<namespace>.<name>}) travels every publish path without a hub change. */
@ExtendWith(VertxExtension.class)
class CustomEventTypeTest {
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String room = "task:" + id;
  private HubNode node;
  private RealtimeClient client;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of());
    client = RealtimeClient.open(vertx, node.port(), "/rt/ws?token=" + Tokens.grant(vertx, room));
    client.awaitReply(client.subscribe(room));
  }

  private JsonObject draft(String type, String via) {
    return HubNode.draft(id, room).put("event_type", type).put("payload", new JsonObject().put("via", via));
  }

  private HttpResponse<Buffer> post(JsonObject draft) throws Exception {
    return HttpClients.of(node.vertx).post(node.port(), "127.0.0.1", "/api/v1/events")
        .putHeader("Authorization", "Bearer " + HubNode.WORKER_SECRET).sendJsonObject(draft)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a custom type published over HTTP, the event bus and the Redis stream reaches a subscriber intact")
  void deliveredOnEveryPath() throws Exception {
    HttpResponse<Buffer> accepted = post(draft("x.render.frame.done", "http"));
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.bodyAsJsonObject().getString("event_type")).isEqualTo("x.render.frame.done");
    node.publish(draft("x.render.frame.progress", "bus"));
    await().atMost(Duration.ofSeconds(20)).until(node.hub::readsIngress);
    Redis redis = Redis.createClient(node.vertx, TestInfrastructure.redisUrl());
    redis.send(Request.cmd(Command.XADD).arg(RedisStreams.INGRESS).arg("*").arg(RedisStreams.INGRESS_FIELD)
        .arg(draft("x.ocr_v2.page.done", "stream").encode())).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    client.awaitEvents(room, 3);
    assertThat(client.events(room)).extracting(frame -> frame.getJsonObject(Frames.EVENT))
        .extracting(event -> event.getString("event_type") + " via " + event.getJsonObject("payload").getString("via"))
        .containsExactly("x.render.frame.done via http", "x.render.frame.progress via bus", "x.ocr_v2.page.done via stream");
  }

  @Test
  @DisplayName("a malformed custom type is refused over HTTP as 400 invalid_draft naming event_type")
  void malformedRefusedOverHttp() throws Exception {
    HttpResponse<Buffer> response = post(draft("x.Render.done", "http"));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_draft");
    assertThat(error.getString("field")).isEqualTo("event_type");
    assertThat(error.getString("message")).contains("x.<namespace>.<name>");
  }

  @Test
  @DisplayName("a malformed custom type is refused over the event bus with the invalid_draft failure code")
  void malformedRefusedOverBus() throws Exception {
    Throwable failure = node.vertx.eventBus().request(Addresses.PUBLISH, draft("x.render", "bus"))
        .toCompletionStage().toCompletableFuture().handle((reply, error) -> error).get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOfSatisfying(ReplyException.class,
        e -> assertThat(e.failureCode()).isEqualTo(ErrorCode.INVALID_DRAFT.failureCode()));
    assertThat(failure.getMessage()).contains("event_type");
  }
}

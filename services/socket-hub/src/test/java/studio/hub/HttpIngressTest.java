package studio.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import studio.contract.bus.Addresses;
import studio.contract.envelope.DraftEvent;
import studio.contract.error.ErrorCode;
import studio.hub.ingress.HttpIngress;
import studio.hub.support.HubNode;
import studio.testsupport.HttpClients;
import studio.testsupport.TestInfrastructure;

/** {@code POST /api/v1/events} and {@code studio.rt.publish}, as workers and services use them. */
@ExtendWith(VertxExtension.class)
class HttpIngressTest {
  private HubNode node;
  private WebClient http;
  private Redis redis;
  private final String id = UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    node = HubNode.deploy(vertx, Map.of());
    http = HttpClients.of(vertx);
    redis = Redis.createClient(vertx, TestInfrastructure.redisUrl());
  }

  private HttpResponse<Buffer> post(String auth, String contentType, Buffer body) throws Exception {
    var request = http.post(node.port(), "127.0.0.1", "/api/v1/events");
    if (auth != null) {
      request.putHeader("Authorization", auth);
    }
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return request.sendBuffer(body).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> post(JsonObject draft) throws Exception {
    return post("Bearer " + HubNode.WORKER_SECRET, "application/json", draft.toBuffer());
  }

  @Test
  @DisplayName("a valid draft is answered 202 with the sequenced envelope")
  void accepted() throws Exception {
    HttpResponse<Buffer> response = post(HubNode.draft(id, "task:" + id));
    assertThat(response.statusCode()).isEqualTo(202);
    JsonObject envelope = response.bodyAsJsonObject();
    assertThat(envelope.getString("contract_version")).isEqualTo("v1");
    assertThat(envelope.getLong("sequence")).isEqualTo(1);
    assertThat(envelope.getString("event_id")).isNotBlank();
  }

  @Test
  @DisplayName("a retry with the same idempotency key gets the same envelope back, marked as a replay")
  void idempotentRetry() throws Exception {
    JsonObject draft = HubNode.draft(id, "task:" + id).put("idempotency_key", "outbox-17");
    HttpResponse<Buffer> first = post(draft);
    HttpResponse<Buffer> retry = post(draft);
    assertThat(retry.statusCode()).isEqualTo(202);
    assertThat(retry.getHeader("Idempotent-Replay")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject().getString("event_id")).isEqualTo(first.bodyAsJsonObject().getString("event_id"));
  }

  @Test
  @DisplayName("a bad draft is 400 with a JSON error naming the field")
  void badDraft() throws Exception {
    HttpResponse<Buffer> response = post(HubNode.draft(id, "user:1"));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_draft");
    assertThat(error.getString("field")).isEqualTo("room_keys[0]");
  }

  @Test
  @DisplayName("a body that is not JSON is 400 invalid_request")
  void notJson() throws Exception {
    HttpResponse<Buffer> response = post("Bearer " + HubNode.WORKER_SECRET, "application/json", Buffer.buffer("{oops"));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_request");
  }

  @Test
  @DisplayName("without the worker secret, or with a wrong one, the answer is 401")
  void unauthorized() throws Exception {
    assertThat(post(null, "application/json", HubNode.draft(id, "task:" + id).toBuffer()).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> wrong = post("Bearer nope", "application/json", HubNode.draft(id, "task:" + id).toBuffer());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthenticated");
  }

  @Test
  @DisplayName("an oversize body is 413 too_large and a non-JSON content type is 415")
  void limits() throws Exception {
    JsonObject huge = HubNode.draft(id, "task:" + id).put("payload", new JsonObject().put("blob", "x".repeat(200_000)));
    HttpResponse<Buffer> tooLarge = post(huge);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("too_large");
    JsonObject justOver = HubNode.draft(id, "task:" + id).put("payload", new JsonObject().put("blob", "x".repeat(70_000)));
    assertThat(post(justOver).statusCode()).isEqualTo(413);
    assertThat(post("Bearer " + HubNode.WORKER_SECRET, "text/plain", Buffer.buffer("x")).statusCode()).isEqualTo(415);
  }

  @Test
  @DisplayName("a draft one byte over the event limit is 413 naming the limit, and nothing reaches Redis; at the limit it is 202")
  void oneByteOverTheDraftLimit() throws Exception {
    // {"blob":"..."} encodes to 11 bytes around the string.
    JsonObject over = HubNode.draft(id, "task:" + id)
        .put("payload", new JsonObject().put("blob", "x".repeat(DraftEvent.MAX_BODY_BYTES - 11 + 1)));
    HttpResponse<Buffer> refused = post(over);
    assertThat(refused.statusCode()).isEqualTo(413);
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("too_large");
    assertThat(error.getString("message")).contains("limit is " + DraftEvent.MAX_BODY_BYTES);
    assertThat(redis(Request.cmd(Command.EXISTS).arg("studio:rt:{task:" + id + "}:seq")).toInteger()).isZero();
    JsonObject atLimit = HubNode.draft(id, "task:" + id)
        .put("payload", new JsonObject().put("blob", "x".repeat(DraftEvent.MAX_BODY_BYTES - 11)));
    assertThat(post(atLimit).statusCode()).isEqualTo(202);
  }

  @Test
  @DisplayName("a body one byte over the body limit is 413 naming the limit, and nothing reaches Redis")
  void oneByteOverTheBodyLimit() throws Exception {
    String draft = HubNode.draft(id, "task:" + id).encode();
    // JSON whitespace pads a valid draft to exactly one byte over.
    Buffer body = Buffer.buffer(draft + " ".repeat(HttpIngress.BODY_LIMIT + 1 - draft.length()));
    HttpResponse<Buffer> refused = post("Bearer " + HubNode.WORKER_SECRET, "application/json", body);
    assertThat(refused.statusCode()).isEqualTo(413);
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("too_large");
    assertThat(error.getString("message")).contains(String.valueOf(HttpIngress.BODY_LIMIT));
    assertThat(redis(Request.cmd(Command.EXISTS).arg("studio:rt:{task:" + id + "}:seq")).toInteger()).isZero();
  }

  private static JsonObject batch(JsonObject... drafts) {
    return new JsonObject().put("events", new JsonArray(List.of((Object[]) drafts)));
  }

  @Test
  @DisplayName("a batch of drafts is 202 with one result per draft, in order: envelope and each room's offset and epoch")
  void batchAccepted() throws Exception {
    String task = "task:" + id;
    String run = "run:" + id;
    HttpResponse<Buffer> response = post(batch(HubNode.draft(id, task), HubNode.draft(id, task, run),
        HubNode.draft(id, run).put("idempotency_key", "b-1"), HubNode.draft(id, run).put("idempotency_key", "b-1")));
    assertThat(response.statusCode()).isEqualTo(202);
    JsonArray results = response.bodyAsJsonObject().getJsonArray("results");
    assertThat(results).hasSize(4);
    assertThat(results.stream().map(result -> ((JsonObject) result).getJsonObject("event").getLong("sequence")))
        .containsExactly(1L, 2L, 3L, 3L);
    assertThat(results.stream().map(result -> ((JsonObject) result).getBoolean("duplicate")))
        .containsExactly(false, false, false, true);
    JsonArray rooms = results.getJsonObject(1).getJsonArray("rooms");
    assertThat(rooms.getJsonObject(0).getString("room")).isEqualTo(task);
    assertThat(rooms.getJsonObject(0).getLong("offset")).isEqualTo(2);
    assertThat(rooms.getJsonObject(1).getString("room")).isEqualTo(run);
    assertThat(rooms.getJsonObject(1).getLong("offset")).isEqualTo(1);
    assertThat(rooms.getJsonObject(1).getString("epoch")).isNotBlank();
    assertThat(results.getJsonObject(2).getJsonArray("rooms").getJsonObject(0).getLong("offset")).isEqualTo(2);
  }

  @Test
  @DisplayName("a batch with one invalid draft is refused whole, 400 naming the draft's index and field; nothing is published")
  void batchWithInvalidDraft() throws Exception {
    HttpResponse<Buffer> refused = post(batch(HubNode.draft(id, "task:" + id), HubNode.draft(id, "user:1")));
    assertThat(refused.statusCode()).isEqualTo(400);
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_draft");
    assertThat(error.getString("field")).isEqualTo("events[1].room_keys[0]");
    assertThat(redis(Request.cmd(Command.EXISTS).arg("studio:rt:{task:" + id + "}:seq")).toInteger()).isZero();
    HttpResponse<Buffer> notObject = post(new JsonObject().put("events", new JsonArray().add(HubNode.draft(id, "task:" + id)).add(7)));
    assertThat(notObject.statusCode()).isEqualTo(400);
    assertThat(notObject.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("events[1]");
    HttpResponse<Buffer> empty = post(new JsonObject().put("events", new JsonArray()));
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("events");
    // A batch has one field; anything beside it (a misspelt option, a draft's field one level up) is refused.
    HttpResponse<Buffer> beside = post(batch(HubNode.draft(id, "task:" + id)).put("idempotency_key", "k"));
    assertThat(beside.statusCode()).isEqualTo(400);
    assertThat(beside.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("idempotency_key");
    assertThat(beside.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .isEqualTo("idempotency_key: is not a field of a batch (expected events)");
    assertThat(redis(Request.cmd(Command.EXISTS).arg("studio:rt:{task:" + id + "}:seq")).toInteger()).isZero();
  }

  @Test
  @DisplayName("a batch one draft over STUDIO_RT_PUBLISH_BATCH_MAX is 400, one byte over STUDIO_RT_PUBLISH_BATCH_BYTES is 413")
  void batchLimits(Vertx vertx) throws Exception {
    int maxBytes = 20_000;
    HubNode limited = HubNode.deploy(vertx, Map.of("STUDIO_RT_PUBLISH_BATCH_MAX", "3",
        "STUDIO_RT_PUBLISH_BATCH_BYTES", String.valueOf(maxBytes)));
    try {
      JsonObject draft = HubNode.draft(id, "task:" + id);
      HttpResponse<Buffer> tooMany = post(limited, batch(draft, draft, draft, draft).toBuffer());
      assertThat(tooMany.statusCode()).isEqualTo(400);
      JsonObject error = tooMany.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("field")).isEqualTo("events");
      assertThat(error.getString("message")).contains("at most 3");
      assertThat(redis(Request.cmd(Command.EXISTS).arg("studio:rt:{task:" + id + "}:seq")).toInteger()).isZero();

      String three = batch(draft, draft, draft).encode();
      HttpResponse<Buffer> over = post(limited, Buffer.buffer(three + " ".repeat(maxBytes + 1 - three.length())));
      assertThat(over.statusCode()).isEqualTo(413);
      assertThat(over.bodyAsJsonObject().getJsonObject("error").getString("message")).contains(String.valueOf(maxBytes));
      assertThat(redis(Request.cmd(Command.EXISTS).arg("studio:rt:{task:" + id + "}:seq")).toInteger()).isZero();

      HttpResponse<Buffer> atLimit = post(limited, Buffer.buffer(three + " ".repeat(maxBytes - three.length())));
      assertThat(atLimit.statusCode()).isEqualTo(202);
      assertThat(atLimit.bodyAsJsonObject().getJsonArray("results")).hasSize(3);
    } finally {
      limited.undeploy();
    }
  }

  private HttpResponse<Buffer> post(HubNode target, Buffer body) throws Exception {
    return http.post(target.port(), "127.0.0.1", "/api/v1/events").putHeader("Authorization", "Bearer " + HubNode.WORKER_SECRET)
        .putHeader("Content-Type", "application/json").sendBuffer(body)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("over the event bus a batch is one message, answered with one result per draft")
  void busBatch() throws Exception {
    JsonObject reply = node.publish(batch(HubNode.draft(id, "task:" + id), HubNode.draft(id, "task:" + id)));
    JsonArray results = reply.getJsonArray("results");
    assertThat(results).hasSize(2);
    assertThat(results.getJsonObject(1).getJsonObject("event").getLong("sequence")).isEqualTo(2);
    Throwable failure = node.vertx.eventBus().request(Addresses.PUBLISH, batch(HubNode.draft(id, "nope")))
        .toCompletionStage().toCompletableFuture().handle((ok, error) -> error).get(10, TimeUnit.SECONDS);
    assertThat(((ReplyException) failure).failureCode()).isEqualTo(ErrorCode.INVALID_DRAFT.failureCode());
    assertThat(failure.getMessage()).contains("events[0].room_keys[0]");
  }

  private Response redis(Request request) throws Exception {
    return redis.send(request)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("over the event bus a bad draft fails with the catalogue's failure code")
  void busFailureCode() throws Exception {
    Throwable failure = node.vertx.eventBus().request(Addresses.PUBLISH, HubNode.draft(id, "nope"))
        .toCompletionStage().toCompletableFuture().handle((reply, error) -> error).get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureCode())
        .isEqualTo(ErrorCode.INVALID_DRAFT.failureCode());
  }
}

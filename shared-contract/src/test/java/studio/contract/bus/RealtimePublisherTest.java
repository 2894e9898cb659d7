package studio.contract.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.EntityKind;
import studio.contract.envelope.EventType;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;

class RealtimePublisherTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a draft built in code over the size limit is refused as too_large before it reaches a hub")
  void refusesOversizedDraft() throws Exception {
    AtomicInteger hubRequests = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(Addresses.PUBLISH, message -> {
      hubRequests.incrementAndGet();
      message.fail(ErrorCode.INTERNAL.failureCode(), "a hub should never see this draft");
    });
    DraftEvent oversized = new DraftEvent(EventType.NODE_TASK_UPDATED, EntityKind.TASK, "42",
        List.of(RoomKey.parse("task:42")), null, new JsonObject().put("text", "x".repeat(70_000)), null, 1L);

    Throwable failure = new RealtimePublisher(vertx).publish(oversized).toCompletionStage().toCompletableFuture()
        .handle((envelope, error) -> error).get(10, TimeUnit.SECONDS);

    assertThat(failure).isInstanceOf(ContractException.class);
    assertThat(((ContractException) failure).code()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(((ContractException) failure).field()).isEqualTo("payload");
    assertThat(failure).hasMessageContaining("limit is " + DraftEvent.MAX_BODY_BYTES);
    assertThat(hubRequests).hasValue(0);
  }
}

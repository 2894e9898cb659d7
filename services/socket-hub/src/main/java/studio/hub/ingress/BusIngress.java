package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import studio.contract.bus.Addresses;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * {@code studio.rt.publish}: request a draft, get the sequenced envelope; or request a batch
 * {@code {"events": [draft, ...]}} (one message), get {@link PublishService#resultsJson}; or a failure with
 * a catalogue code.
 */
public final class BusIngress {
  private BusIngress() {
  }

  public static Future<MessageConsumer<Object>> register(Vertx vertx, PublishService publisher, PublishLimits limits) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(Addresses.PUBLISH,
        message -> publish(publisher, limits, message));
    return consumer.completion().map(consumer);
  }

  private static void publish(PublishService publisher, PublishLimits limits, Message<Object> message) {
    if (!(message.body() instanceof JsonObject draft)) {
      message.fail(ErrorCode.INVALID_DRAFT.failureCode(), "body must be a JSON object draft");
      return;
    }
    if (PublishService.isBatch(draft)) {
      publisher.publishBatch(draft, limits)
          .onSuccess(publications -> message.reply(PublishService.resultsJson(publications)))
          .onFailure(failure -> fail(message, failure));
      return;
    }
    publisher.publish(draft)
        .onSuccess(publication -> message.reply(publication.envelope().toJson()))
        .onFailure(failure -> fail(message, failure));
  }

  private static void fail(Message<Object> message, Throwable failure) {
    ContractException error = (ContractException) failure;
    message.fail(error.code().failureCode(), error.getMessage());
  }
}

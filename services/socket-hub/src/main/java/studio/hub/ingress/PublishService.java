package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import studio.contract.envelope.DraftEvent;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.hub.broker.Broker;
import studio.hub.broker.Publication;
import studio.hub.metrics.HubMetrics;

/** The one publish step every ingress (event bus, HTTP, Redis stream) goes through. */
public final class PublishService {
  private final Broker broker;
  private final HubMetrics metrics;

  public PublishService(Broker broker, HubMetrics metrics) {
    this.broker = broker;
    this.metrics = metrics;
  }

  /** Validates the draft and sequences it; failures are {@link ContractException}s with a catalogue code. */
  public Future<Publication> publish(JsonObject draftJson) {
    DraftEvent draft;
    try {
      draft = DraftEvent.fromJson(draftJson);
    } catch (ContractException e) {
      return Future.failedFuture(e);
    }
    long started = System.nanoTime();
    return broker.publish(draft)
        .onSuccess(publication -> metrics.published(Duration.ofNanos(System.nanoTime() - started),
            publication.duplicate()))
        .recover(failure -> Future.failedFuture(failure instanceof ContractException ? failure
            : new ContractException(ErrorCode.UNAVAILABLE, "could not sequence the event: " + failure.getMessage())));
  }
}

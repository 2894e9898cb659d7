package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import studio.contract.envelope.DraftEvent;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.json.JsonFields;
import studio.hub.broker.Broker;
import studio.hub.broker.Publication;
import studio.hub.broker.RoomFrame;
import studio.hub.metrics.HubMetrics;

/** The one publish step every ingress (event bus, HTTP, Redis stream) goes through. */
public final class PublishService {
  /** The field of a batch body that holds its drafts: {@code {"events": [draft, ...]}}. */
  public static final String BATCH_FIELD = "events";

  private final Broker broker;
  private final HubMetrics metrics;

  public PublishService(Broker broker, HubMetrics metrics) {
    this.broker = broker;
    this.metrics = metrics;
  }

  /** Whether a body is a batch ({@code events} and no draft of its own) rather than one draft. */
  public static boolean isBatch(JsonObject body) {
    return body.containsKey(BATCH_FIELD) && !body.containsKey("event_type");
  }

  /** Validates the draft and sequences it; failures are {@link ContractException}s with a catalogue code. */
  public Future<Publication> publish(JsonObject draftJson) {
    return publish(draftJson, Integer.MAX_VALUE);
  }

  /** As {@link #publish(JsonObject)}, for a draft read from {@code textBytes} bytes of JSON ({@link DraftEvent#fromJson(JsonObject, int)}). */
  public Future<Publication> publish(JsonObject draftJson, int textBytes) {
    DraftEvent draft;
    try {
      draft = DraftEvent.fromJson(draftJson, textBytes);
    } catch (ContractException e) {
      return Future.failedFuture(e);
    }
    long started = System.nanoTime();
    return broker.publish(draft)
        .onSuccess(publication -> metrics.published(Duration.ofNanos(System.nanoTime() - started),
            publication.duplicate()))
        .recover(PublishService::unavailable);
  }

  /**
   * Validates every draft of {@code {"events": [...]}} first: one invalid draft refuses the whole batch
   * (nothing is published) with its index in the error's field ({@code events[3].room_keys[0]}). Then
   * sequences them together, in batch order ({@link Broker#publishBatch}); results are in the same order.
   */
  public Future<List<Publication>> publishBatch(JsonObject body, PublishLimits limits) {
    List<DraftEvent> drafts;
    try {
      drafts = drafts(body, limits);
    } catch (ContractException e) {
      return Future.failedFuture(e);
    }
    long started = System.nanoTime();
    return broker.publishBatch(drafts)
        .onSuccess(publications -> {
          Duration took = Duration.ofNanos(System.nanoTime() - started);
          publications.forEach(publication -> metrics.published(took, publication.duplicate()));
        })
        .recover(PublishService::unavailable);
  }

  private static List<DraftEvent> drafts(JsonObject body, PublishLimits limits) {
    new JsonFields(body, ErrorCode.INVALID_REQUEST).onlyFields(List.of(BATCH_FIELD), "a batch");
    if (!(body.getValue(BATCH_FIELD) instanceof JsonArray array)) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, BATCH_FIELD, "must be an array of drafts");
    }
    if (array.isEmpty() || array.size() > limits.batchMax()) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, BATCH_FIELD,
          "must hold 1 to at most " + limits.batchMax() + " drafts (" + PublishLimits.BATCH_MAX + "), got " + array.size());
    }
    List<DraftEvent> drafts = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String at = BATCH_FIELD + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject draft)) {
        throw new ContractException(ErrorCode.INVALID_DRAFT, at, "must be a JSON object draft");
      }
      try {
        drafts.add(DraftEvent.fromJson(draft));
      } catch (ContractException e) {
        throw e.field() == null ? new ContractException(e.code(), at, e.getMessage())
            : new ContractException(e.code(), at + "." + e.field(), e.getMessage().substring(e.field().length() + 2));
      }
    }
    return drafts;
  }

  /**
   * {@code {"results": [{"event": envelope, "duplicate": bool, "rooms": [{room, offset, epoch}]}, ...]}}, as
   * objects for the event bus (no text: a local reply is never encoded).
   */
  public static JsonObject resultsJson(List<Publication> publications) {
    JsonArray results = new JsonArray();
    for (Publication publication : publications) {
      results.add(new JsonObject().put("event", publication.envelope().toJson())
          .put("duplicate", publication.duplicate()).put("rooms", roomsJson(publication)));
    }
    return new JsonObject().put("results", results);
  }

  /**
   * {@link #resultsJson} as text for the HTTP answer, each envelope spliced in as the broker stored it,
   * which would otherwise encode every payload a second time.
   */
  public static String resultsJsonText(List<Publication> publications) {
    StringBuilder results = new StringBuilder("{\"results\":[");
    for (Publication publication : publications) {
      results.append(results.charAt(results.length() - 1) == '[' ? "" : ",")
          .append("{\"event\":").append(publication.envelopeJson())
          .append(",\"duplicate\":").append(publication.duplicate())
          .append(",\"rooms\":").append(roomsJson(publication).encode()).append('}');
    }
    return results.append("]}").toString();
  }

  private static JsonArray roomsJson(Publication publication) {
    JsonArray rooms = new JsonArray();
    for (RoomFrame frame : publication.rooms()) {
      rooms.add(new JsonObject().put("room", frame.room().toString()).put("offset", frame.offset())
          .put("epoch", frame.epoch()));
    }
    return rooms;
  }

  private static <T> Future<T> unavailable(Throwable failure) {
    return Future.failedFuture(failure instanceof ContractException ? failure
        : new ContractException(ErrorCode.UNAVAILABLE, "could not sequence the event: " + failure.getMessage()));
  }
}

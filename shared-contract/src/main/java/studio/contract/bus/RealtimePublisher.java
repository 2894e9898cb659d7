package studio.contract.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomCursor;
import studio.contract.room.RoomKey;

/**
 * How JVM producers publish: a draft over {@code studio.rt.publish} to any hub replica in the
 * cluster, answered with the sequenced envelope. Failures arrive as {@link ContractException}s
 * with the hub's catalogue code; {@code unavailable} and {@code timeout} are worth retrying (with
 * the same idempotency key, so a retry never duplicates). It also reads where rooms stand, for
 * hydration endpoints.
 */
public final class RealtimePublisher {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private final Vertx vertx;
  private final DeliveryOptions options;

  public RealtimePublisher(Vertx vertx) {
    this(vertx, DEFAULT_TIMEOUT);
  }

  public RealtimePublisher(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeout.toMillis());
  }

  /** Sequences a draft; one the hub would refuse (e.g. {@code too_large}) fails here, without a round trip. */
  public Future<Envelope> publish(DraftEvent draft) {
    try {
      draft.validate();
    } catch (ContractException refused) {
      return Future.failedFuture(refused);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.PUBLISH, draft.toJson(), options)
        .map(reply -> Envelope.fromJson(reply.body()))
        .recover(failure -> Future.failedFuture(translate(failure)));
  }

  /** The current cursor of each room, in the order asked. */
  public Future<List<RoomCursor>> positions(Collection<RoomKey> rooms) {
    JsonArray names = new JsonArray();
    rooms.forEach(room -> names.add(room.toString()));
    return vertx.eventBus().<JsonObject>request(Addresses.ROOM_POSITIONS, new JsonObject().put("rooms", names), options)
        .map(reply -> reply.body().getJsonArray("positions").stream()
            .map(position -> RoomCursor.fromJson((JsonObject) position))
            .toList())
        .recover(failure -> Future.failedFuture(translate(failure)));
  }

  /** The counters of whichever hub replica answers (operators' page; the hub's own /stats is not cross-origin). */
  public Future<JsonObject> stats() {
    return vertx.eventBus().<JsonObject>request(Addresses.HUB_STATS, new JsonObject(), options)
        .map(reply -> reply.body())
        .recover(failure -> Future.failedFuture(translate(failure)));
  }

  static ContractException translate(Throwable failure) {
    if (failure instanceof ContractException contract) {
      return contract;
    }
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case NO_HANDLERS -> new ContractException(ErrorCode.UNAVAILABLE, "no socket hub is reachable on the event bus");
        case TIMEOUT -> new ContractException(ErrorCode.TIMEOUT, "the socket hub did not answer in time");
        default -> new ContractException(ErrorCode.fromFailureCode(reply.failureCode()).orElse(ErrorCode.INTERNAL),
            reply.getMessage());
      };
    }
    return new ContractException(ErrorCode.INTERNAL, String.valueOf(failure.getMessage()));
  }
}

package studio.contract.envelope;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.contract.json.JsonFields;

/**
 * A sequenced event as every client sees it (docs/protocol.md "Envelope"). Immutable.
 *
 * <p>{@code sequence} strictly increases per {@code sequenceStream}; per-room offsets travel in the
 * {@code event} frame beside the envelope, because one envelope is delivered to several rooms.
 */
public record Envelope(
    String contractVersion,
    UUID eventId,
    String idempotencyKey,
    long sequence,
    String sequenceStream,
    Instant emittedAt,
    EventTypeName eventType,
    EntityKind entityKind,
    String entityId,
    List<RoomKey> roomKeys,
    JsonObject runtime,
    JsonObject payload,
    Long entityVersion) {

  public static final String CONTRACT_VERSION = "v1";

  public Envelope {
    roomKeys = List.copyOf(roomKeys);
    payload = payload == null ? new JsonObject() : payload.copy();
    runtime = runtime == null ? null : runtime.copy();
  }

  /** The envelope the hub makes of a draft once Redis (or the in-memory broker) has numbered it. */
  public static Envelope sequenced(DraftEvent draft, UUID eventId, long sequence, Instant emittedAt) {
    return new Envelope(CONTRACT_VERSION, eventId, draft.idempotencyKey(), sequence, draft.sequenceStream(),
        emittedAt, draft.eventType(), draft.entityKind(), draft.entityId(), draft.roomKeys(), draft.runtime(),
        draft.payload(), draft.entityVersion());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("contract_version", contractVersion)
        .put("event_id", eventId.toString())
        .put("idempotency_key", idempotencyKey)
        .put("sequence", sequence)
        .put("sequence_stream", sequenceStream)
        .put("emitted_at", emittedAt.toString())
        .put("event_type", eventType.wire())
        .put("entity_kind", entityKind.wire())
        .put("entity_id", entityId)
        .put("room_keys", DraftEvent.roomKeysJson(roomKeys))
        .put("runtime", runtime)
        .put("payload", payload);
    if (entityVersion != null) {
      json.put("entity_version", entityVersion);
    }
    return json;
  }

  /** Reads an envelope back (clients, tests, history); fails with {@code bad_frame} naming the field. */
  public static Envelope fromJson(JsonObject json) {
    if (json == null) {
      throw new ContractException(ErrorCode.BAD_FRAME, "envelope must be a JSON object");
    }
    JsonFields fields = new JsonFields(json, ErrorCode.BAD_FRAME);
    String version = fields.requiredString("contract_version", 10);
    if (!CONTRACT_VERSION.equals(version)) {
      throw fields.fail("contract_version", "unsupported contract version \"" + version + "\"");
    }
    UUID eventId = parseUuid(fields, fields.requiredString("event_id", 36));
    long sequence = fields.requiredLong("sequence", 1);
    Instant emittedAt = parseInstant(fields, fields.requiredString("emitted_at", 40));
    DraftEvent draft;
    try {
      draft = DraftEvent.read(new JsonFields(json, ErrorCode.INVALID_DRAFT), json, Integer.MAX_VALUE);
    } catch (ContractException e) {
      throw new ContractException(ErrorCode.BAD_FRAME, e.field(), e.getMessage());
    }
    String stream = fields.requiredString("sequence_stream", 200);
    if (!stream.equals(draft.sequenceStream())) {
      throw fields.fail("sequence_stream", "must be entity_kind:entity_id (" + draft.sequenceStream() + ")");
    }
    return sequenced(draft, eventId, sequence, emittedAt);
  }

  private static UUID parseUuid(JsonFields fields, String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw fields.fail("event_id", "must be a UUID");
    }
  }

  private static Instant parseInstant(JsonFields fields, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw fields.fail("emitted_at", "must be an ISO-8601 UTC timestamp");
    }
  }
}

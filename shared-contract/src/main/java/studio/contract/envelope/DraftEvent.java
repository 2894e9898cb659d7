package studio.contract.envelope;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.contract.json.JsonFields;

/**
 * What a producer hands to the hub: an event before it has an id, a sequence or room offsets.
 *
 * <p>{@code entityVersion} is the entity's version after the state change this event describes;
 * pages that hydrated at version v drop events at or below v.
 */
public record DraftEvent(
    EventTypeName eventType,
    EntityKind entityKind,
    String entityId,
    List<RoomKey> roomKeys,
    JsonObject runtime,
    JsonObject payload,
    String idempotencyKey,
    Long entityVersion) {

  /** Every field a draft has, in the order error messages list them. */
  static final List<String> FIELDS = List.of("event_type", "entity_kind", "entity_id", "room_keys", "runtime",
      "payload", "idempotency_key", "entity_version");
  public static final int MAX_ROOM_KEYS = 32;
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 200;
  /** Encoded size limit of {@code payload} plus {@code runtime}; bigger state belongs behind a status endpoint. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  public DraftEvent {
    roomKeys = List.copyOf(roomKeys);
    payload = payload == null ? new JsonObject() : payload.copy();
    runtime = runtime == null ? null : runtime.copy();
  }

  public String sequenceStream() {
    return entityKind.wire() + ":" + entityId;
  }

  /** Parses and validates a draft; every rule failure names its field ({@code invalid_draft}, {@code too_large}). */
  public static DraftEvent fromJson(JsonObject json) {
    return fromJson(json, Integer.MAX_VALUE);
  }

  /**
   * As {@link #fromJson(JsonObject)}, for a draft read from {@code textBytes} bytes of JSON: when those
   * are within {@link #MAX_BODY_BYTES}, its payload and runtime are too, and are not encoded again
   * just to be measured (an HTTP publish would otherwise encode each payload twice).
   */
  public static DraftEvent fromJson(JsonObject json, int textBytes) {
    if (json == null) {
      throw new ContractException(ErrorCode.INVALID_DRAFT, "draft must be a JSON object");
    }
    JsonFields fields = new JsonFields(json, ErrorCode.INVALID_DRAFT);
    fields.onlyFields(FIELDS, "a draft");
    return read(fields, json, textBytes);
  }

  /** The draft's fields of {@code json}, ignoring others: an envelope read back is a draft plus the hub's fields. */
  static DraftEvent read(JsonFields fields, JsonObject json, int textBytes) {
    String type = fields.requiredString("event_type", 100);
    EventTypeName eventType = EventTypeName.fromWire(type).orElseThrow(() -> unknownType(fields, type));
    String kind = fields.requiredString("entity_kind", 100);
    EntityKind entityKind = EntityKind.fromWire(kind).orElseThrow(() ->
        fields.fail("entity_kind", "unknown entity kind \"" + kind + "\" (expected one of " + EntityKind.allWireNames() + ")"));
    String entityId = fields.requiredString("entity_id", RoomKey.MAX_ID_LENGTH);
    if (!RoomKey.isValidId(entityId)) {
      throw fields.fail("entity_id", "must be letters, digits, '_' or '-'");
    }
    List<RoomKey> rooms = parseRooms(fields);
    JsonObject runtime = fields.optionalObject("runtime");
    JsonObject payload = fields.requiredObject("payload");
    String idempotencyKey = fields.optionalString("idempotency_key", MAX_IDEMPOTENCY_KEY_LENGTH);
    Long entityVersion = fields.optionalLong("entity_version", 0);
    if (textBytes > MAX_BODY_BYTES) {
      checkSize(payload, runtime);
    }
    return new DraftEvent(eventType, entityKind, entityId, rooms, runtime, payload, idempotencyKey, entityVersion);
  }

  /**
   * Applies every rule of {@link #fromJson} (the size limit included) to a draft built in code, which
   * the canonical constructor does not check. Producers call it where an event is born, so a draft
   * the hub would refuse fails its producer instead of being stored or sent.
   *
   * @throws ContractException {@code invalid_draft} or {@code too_large}, naming the field
   */
  public DraftEvent validate() {
    return fromJson(toJson());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("event_type", eventType.wire())
        .put("entity_kind", entityKind.wire())
        .put("entity_id", entityId)
        .put("room_keys", roomKeysJson(roomKeys))
        .put("runtime", runtime)
        .put("payload", payload);
    if (idempotencyKey != null) {
      json.put("idempotency_key", idempotencyKey);
    }
    if (entityVersion != null) {
      json.put("entity_version", entityVersion);
    }
    return json;
  }

  private static ContractException unknownType(JsonFields fields, String type) {
    return CustomEventType.claims(type)
        ? fields.fail("event_type", "custom event type \"" + type + "\" must be " + CustomEventType.GRAMMAR)
        : fields.fail("event_type", "unknown event type \"" + type + "\" (expected one of " + EventType.allWireNames()
            + ", or a custom type " + CustomEventType.PREFIX + "<namespace>.<name>)");
  }

  static JsonArray roomKeysJson(List<RoomKey> rooms) {
    JsonArray array = new JsonArray();
    rooms.forEach(room -> array.add(room.toString()));
    return array;
  }

  static List<RoomKey> parseRooms(JsonFields fields) {
    JsonArray array = fields.requiredArray("room_keys");
    if (array.isEmpty() || array.size() > MAX_ROOM_KEYS) {
      throw fields.fail("room_keys", "must hold 1-" + MAX_ROOM_KEYS + " rooms, got " + array.size());
    }
    Set<RoomKey> rooms = new LinkedHashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String field = "room_keys[" + i + "]";
      Object value = array.getValue(i);
      if (!(value instanceof String text)) {
        throw fields.fail(field, "must be a string, got " + JsonFields.typeOf(value));
      }
      try {
        if (!rooms.add(RoomKey.parse(text))) {
          throw fields.fail(field, "duplicate room \"" + text + "\"");
        }
      } catch (ContractException e) {
        throw e.code() == ErrorCode.INVALID_ROOM ? fields.fail(field, e.getMessage()) : e;
      }
    }
    return new ArrayList<>(rooms);
  }

  private static void checkSize(JsonObject payload, JsonObject runtime) {
    int bytes = payload.encode().getBytes(StandardCharsets.UTF_8).length
        + (runtime == null ? 0 : runtime.encode().getBytes(StandardCharsets.UTF_8).length);
    if (bytes > MAX_BODY_BYTES) {
      throw new ContractException(ErrorCode.TOO_LARGE, "payload",
          "payload and runtime encode to " + bytes + " bytes, limit is " + MAX_BODY_BYTES);
    }
  }
}

package studio.contract.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;

class DraftEventTest {

  static JsonObject valid() {
    return new JsonObject()
        .put("event_type", "node.task.updated")
        .put("entity_kind", "task")
        .put("entity_id", "42")
        .put("room_keys", new JsonArray().add("task:42").add("run:7"))
        .put("runtime", new JsonObject().put("selected_provider", "workspace"))
        .put("payload", new JsonObject().put("status", "running"))
        .put("idempotency_key", "task-42-running");
  }

  private static void assertRefused(Consumer<JsonObject> change, ErrorCode code, String field, String message) {
    JsonObject json = valid();
    change.accept(json);
    assertThatThrownBy(() -> DraftEvent.fromJson(json))
        .isInstanceOfSatisfying(ContractException.class, e -> {
          assertThat(e.code()).isEqualTo(code);
          assertThat(e.field()).isEqualTo(field);
        })
        .hasMessageContaining(message);
  }

  @Test
  @DisplayName("a valid draft parses into typed fields and its stream is entity_kind:entity_id")
  void parsesValidDraft() {
    DraftEvent draft = DraftEvent.fromJson(valid());
    assertThat(draft.eventType()).isEqualTo(EventType.NODE_TASK_UPDATED);
    assertThat(draft.entityKind()).isEqualTo(EntityKind.TASK);
    assertThat(draft.roomKeys()).containsExactly(RoomKey.parse("task:42"), RoomKey.parse("run:7"));
    assertThat(draft.sequenceStream()).isEqualTo("task:42");
    assertThat(draft.idempotencyKey()).isEqualTo("task-42-running");
  }

  @Test
  @DisplayName("toJson and fromJson round-trip a draft")
  void roundTrips() {
    DraftEvent draft = DraftEvent.fromJson(valid().put("entity_version", 3));
    assertThat(DraftEvent.fromJson(draft.toJson())).isEqualTo(draft);
  }

  @Test
  @DisplayName("runtime and idempotency_key are optional")
  void optionalFields() {
    JsonObject json = valid();
    json.remove("runtime");
    json.remove("idempotency_key");
    DraftEvent draft = DraftEvent.fromJson(json);
    assertThat(draft.runtime()).isNull();
    assertThat(draft.idempotencyKey()).isNull();
  }

  @Test
  @DisplayName("a draft is immutable: changing the source JSON later does not change it")
  void defensiveCopies() {
    JsonObject json = valid();
    DraftEvent draft = DraftEvent.fromJson(json);
    json.getJsonObject("payload").put("status", "changed");
    assertThat(draft.payload().getString("status")).isEqualTo("running");
  }

  @Test
  @DisplayName("each required field, when missing, is named in the error")
  void requiredFields() {
    for (String field : new String[] {"event_type", "entity_kind", "entity_id", "room_keys", "payload"}) {
      assertRefused(json -> json.remove(field), ErrorCode.INVALID_DRAFT, field, "is required");
    }
  }

  @Test
  @DisplayName("wrong JSON types are named with the type that was found")
  void wrongTypes() {
    assertRefused(json -> json.put("event_type", 5), ErrorCode.INVALID_DRAFT, "event_type", "must be a string, got number");
    assertRefused(json -> json.put("payload", "x"), ErrorCode.INVALID_DRAFT, "payload", "must be an object, got string");
    assertRefused(json -> json.put("runtime", new JsonArray()), ErrorCode.INVALID_DRAFT, "runtime", "must be an object");
    assertRefused(json -> json.put("room_keys", "task:1"), ErrorCode.INVALID_DRAFT, "room_keys", "must be an array");
    assertRefused(json -> json.put("entity_version", "3"), ErrorCode.INVALID_DRAFT, "entity_version", "integer");
  }

  /**
   * A misspelt optional field used to be dropped in silence: {@code idempotencyKey} published the draft
   * without its key (a retry then published it twice), {@code entity_versoin} without a version.
   */
  @Test
  @DisplayName("a field a draft does not have is refused, naming it and the fields a draft has")
  void unknownFieldsAreRefused() {
    for (String misspelt : new String[] {"idempotencyKey", "entity_versoin", "rooms", "room"}) {
      assertRefused(json -> json.put(misspelt, "x"), ErrorCode.INVALID_DRAFT, misspelt,
          "is not a field of a draft (expected event_type, entity_kind, entity_id, room_keys, runtime, payload,"
              + " idempotency_key, entity_version)");
    }
    // An envelope is a draft with the hub's fields: reading one back stays possible.
    JsonObject envelope = Envelope.sequenced(DraftEvent.fromJson(valid()), java.util.UUID.randomUUID(), 1,
        java.time.Instant.now()).toJson();
    assertThat(Envelope.fromJson(envelope).toJson()).isEqualTo(envelope);
  }

  /**
   * Jackson reads 99999999999999999999999 as a BigInteger whose {@code longValue()} keeps the low 64 bits
   * (200376420520689663): a page would then ignore every real event of the entity as "not newer".
   */
  @Test
  @DisplayName("entity_version is an exact integer up to 2^53 - 1: larger or inexact numbers are refused, never wrapped or rounded")
  void entityVersionIsExact() {
    for (Object huge : new Object[] {new java.math.BigInteger("99999999999999999999999"), 9_007_199_254_740_992L, 1e30}) {
      assertRefused(json -> json.put("entity_version", huge), ErrorCode.INVALID_DRAFT, "entity_version",
          "must be an integer from 0 to 9007199254740991, got " + huge);
    }
    assertRefused(json -> json.put("entity_version", 2.5), ErrorCode.INVALID_DRAFT, "entity_version", "got 2.5");
    assertThat(DraftEvent.fromJson(valid().put("entity_version", 9_007_199_254_740_991L)).entityVersion())
        .isEqualTo(9_007_199_254_740_991L);
    // As it comes off the wire: the text, decoded by Vert.x's Jackson.
    JsonObject decoded = new JsonObject(valid().put("entity_version", 0).encode()
        .replace("\"entity_version\":0", "\"entity_version\":99999999999999999999999"));
    assertThatThrownBy(() -> DraftEvent.fromJson(decoded)).isInstanceOfSatisfying(ContractException.class,
        e -> assertThat(e.field()).isEqualTo("entity_version"));
  }

  @Test
  @DisplayName("unknown event types and entity kinds list the accepted values")
  void unknownEnums() {
    assertRefused(json -> json.put("event_type", "node.exploded"), ErrorCode.INVALID_DRAFT, "event_type",
        "unknown event type \"node.exploded\"");
    assertRefused(json -> json.put("entity_kind", "user"), ErrorCode.INVALID_DRAFT, "entity_kind", "task, run");
  }

  @Test
  @DisplayName("entity ids follow the room id rules")
  void entityIds() {
    assertRefused(json -> json.put("entity_id", "a b"), ErrorCode.INVALID_DRAFT, "entity_id", "letters, digits");
    assertRefused(json -> json.put("entity_id", "x".repeat(65)), ErrorCode.INVALID_DRAFT, "entity_id", "1-64");
  }

  @Test
  @DisplayName("room_keys must hold 1-32 distinct valid rooms, and the bad one is named by index")
  void roomKeys() {
    assertRefused(json -> json.put("room_keys", new JsonArray()), ErrorCode.INVALID_DRAFT, "room_keys", "1-32 rooms");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 33; i++) {
      many.add("task:" + i);
    }
    assertRefused(json -> json.put("room_keys", many), ErrorCode.INVALID_DRAFT, "room_keys", "got 33");
    assertRefused(json -> json.put("room_keys", new JsonArray().add("task:1").add("user:2")), ErrorCode.INVALID_DRAFT,
        "room_keys[1]", "unknown room prefix");
    assertRefused(json -> json.put("room_keys", new JsonArray().add("task:1").add(7)), ErrorCode.INVALID_DRAFT,
        "room_keys[1]", "must be a string");
    assertRefused(json -> json.put("room_keys", new JsonArray().add("task:1").add("task:1")), ErrorCode.INVALID_DRAFT,
        "room_keys[1]", "duplicate room");
  }

  @Test
  @DisplayName("idempotency keys are 1-200 characters")
  void idempotencyKeyLength() {
    assertRefused(json -> json.put("idempotency_key", "k".repeat(201)), ErrorCode.INVALID_DRAFT, "idempotency_key",
        "1-200");
    assertRefused(json -> json.put("idempotency_key", ""), ErrorCode.INVALID_DRAFT, "idempotency_key", "1-200");
  }

  @Test
  @DisplayName("payload plus runtime over 64 KiB is too_large")
  void sizeLimit() {
    assertRefused(json -> json.put("payload", new JsonObject().put("blob", "x".repeat(DraftEvent.MAX_BODY_BYTES))),
        ErrorCode.TOO_LARGE, "payload", "limit is 65536");
  }

  @Test
  @DisplayName("a null draft is refused with a message, not a NullPointerException")
  void nullDraft() {
    assertThatThrownBy(() -> DraftEvent.fromJson(null)).isInstanceOf(ContractException.class);
  }
}

package studio.contract.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

class EnvelopeTest {
  private final DraftEvent draft = DraftEvent.fromJson(DraftEventTest.valid());
  private final Envelope envelope = Envelope.sequenced(draft, UUID.randomUUID(), 5,
      Instant.parse("2026-11-23T10:00:00.123Z"));

  @Test
  @DisplayName("a sequenced envelope carries v1, the draft's fields and the sequence")
  void sequencedFromDraft() {
    JsonObject json = envelope.toJson();
    assertThat(json.getString("contract_version")).isEqualTo("v1");
    assertThat(json.getLong("sequence")).isEqualTo(5);
    assertThat(json.getString("sequence_stream")).isEqualTo("task:42");
    assertThat(json.getString("emitted_at")).isEqualTo("2026-11-23T10:00:00.123Z");
    assertThat(json.getJsonArray("room_keys").getList()).containsExactly("task:42", "run:7");
    assertThat(json.fieldNames()).contains("event_id", "idempotency_key", "event_type", "entity_kind", "entity_id",
        "runtime", "payload");
  }

  @Test
  @DisplayName("toJson and fromJson round-trip an envelope")
  void roundTrips() {
    assertThat(Envelope.fromJson(envelope.toJson())).isEqualTo(envelope);
  }

  @Test
  @DisplayName("an envelope of another contract version, or with a bad id, time or stream, is a bad_frame")
  void refusesMalformed() {
    assertBadFrame(envelope.toJson().put("contract_version", "v2"), "contract_version");
    assertBadFrame(envelope.toJson().put("event_id", "not-a-uuid"), "event_id");
    assertBadFrame(envelope.toJson().put("emitted_at", "yesterday"), "emitted_at");
    assertBadFrame(envelope.toJson().put("sequence", 0), "sequence");
    assertBadFrame(envelope.toJson().put("sequence_stream", "task:43"), "sequence_stream");
    assertBadFrame(envelope.toJson().put("event_type", "nope"), "event_type");
  }

  private static void assertBadFrame(JsonObject json, String field) {
    assertThatThrownBy(() -> Envelope.fromJson(json))
        .isInstanceOfSatisfying(ContractException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME);
          assertThat(e.field()).isEqualTo(field);
        });
  }
}

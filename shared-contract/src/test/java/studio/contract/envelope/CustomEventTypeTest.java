package studio.contract.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/** Workers' own event types ({@code x.<namespace>.<name>}) pass the same draft rules as the built-in ones. */
class CustomEventTypeTest {

  private static JsonObject draft(String type) {
    return DraftEventTest.valid().put("event_type", type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x.render.done", "x.render.frame.progress", "x.a1.b_2", "x.ocr_v2.page.done"})
  @DisplayName("a well-formed custom type is accepted and round-trips through draft and envelope")
  void accepted(String type) {
    DraftEvent draft = DraftEvent.fromJson(draft(type));
    assertThat(draft.eventType()).isEqualTo(new CustomEventType(type));
    assertThat(draft.eventType().wire()).isEqualTo(type);
    assertThat(DraftEvent.fromJson(draft.toJson())).isEqualTo(draft);
    Envelope envelope = Envelope.sequenced(draft, UUID.randomUUID(), 3, Instant.parse("2026-01-01T00:00:00.123Z"));
    assertThat(Envelope.fromJson(envelope.toJson())).isEqualTo(envelope);
    assertThat(envelope.toJson().getString("event_type")).isEqualTo(type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x.render", "x.", "x..done", "x.Render.done", "x.render.done.", "x.render.1done",
      "x.render.do-ne", "x.render.dône", "x.render.done ", "x.render.done\n"})
  @DisplayName("a malformed custom type is refused as invalid_draft naming event_type and the grammar")
  void malformedRefused(String type) {
    assertThatThrownBy(() -> DraftEvent.fromJson(draft(type)))
        .isInstanceOfSatisfying(ContractException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DRAFT);
          assertThat(e.field()).isEqualTo("event_type");
        })
        .hasMessageContaining("custom event type").hasMessageContaining("x.<namespace>.<name>");
  }

  @Test
  @DisplayName("a custom type is bounded: 100 characters pass, 101 are refused")
  void lengthBound() {
    String hundred = "x.render." + "a".repeat(100 - "x.render.".length());
    assertThat(DraftEvent.fromJson(draft(hundred)).eventType().wire()).hasSize(100);
    assertThatThrownBy(() -> DraftEvent.fromJson(draft(hundred + "a")))
        .isInstanceOfSatisfying(ContractException.class, e -> assertThat(e.field()).isEqualTo("event_type"));
  }

  @Test
  @DisplayName("a type that is neither built in nor custom names both choices")
  void unknownTypeNamesChoices() {
    assertThatThrownBy(() -> DraftEvent.fromJson(draft("render.done")))
        .isInstanceOfSatisfying(ContractException.class, e -> assertThat(e.field()).isEqualTo("event_type"))
        .hasMessageContaining("node.task.updated").hasMessageContaining("custom type x.<namespace>.<name>");
  }

  @Test
  @DisplayName("a custom type is conflatable exactly when its last segment is progress")
  void conflation() {
    assertThat(new CustomEventType("x.render.frame.progress").conflatable()).isTrue();
    assertThat(new CustomEventType("x.render.progress").conflatable()).isTrue();
    assertThat(new CustomEventType("x.render.frame.done").conflatable()).isFalse();
    assertThat(new CustomEventType("x.render.frame.progress_done").conflatable()).isFalse();
    assertThat(new CustomEventType("x.progress.done").conflatable()).isFalse();
    assertThat(EventTypeName.fromWire("x.render.frame.progress")).map(EventTypeName::conflatable).contains(true);
  }

  @Test
  @DisplayName("built-in types keep their own flags; no built-in type can be mistaken for a custom one")
  void builtInsUnchanged() {
    assertThat(EventTypeName.fromWire("node.task.updated")).contains(EventType.NODE_TASK_UPDATED);
    assertThat(EventTypeName.fromWire("node.task.completed")).map(EventTypeName::conflatable).contains(false);
    for (EventType type : EventType.values()) {
      assertThat(type.wire()).doesNotStartWith(CustomEventType.PREFIX);
    }
  }
}

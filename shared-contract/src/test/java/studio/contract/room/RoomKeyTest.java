package studio.contract.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

class RoomKeyTest {

  @ParameterizedTest
  @ValueSource(strings = {"task:42", "run:7", "flowchart:a-b", "flowchart_run:X_1", "flowchart_node:9", "thread:12",
      "download_job:abc", "rag_job:1", "rag_source:docs-1"})
  @DisplayName("every documented room prefix parses and prints back unchanged")
  void parsesKnownRooms(String value) {
    assertThat(RoomKey.parse(value).toString()).isEqualTo(value);
  }

  @Test
  @DisplayName("the part before the first ':' is the kind, the rest the id")
  void splitsKindAndId() {
    RoomKey room = RoomKey.parse("flowchart_run:17");
    assertThat(room.kind()).isEqualTo(RoomKind.FLOWCHART_RUN);
    assertThat(room.id()).isEqualTo("17");
  }

  @Test
  @DisplayName("an unknown prefix is refused as invalid_room and the message lists the known ones")
  void refusesUnknownPrefix() {
    assertThatThrownBy(() -> RoomKey.parse("user:1"))
        .isInstanceOfSatisfying(ContractException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ROOM))
        .hasMessageContaining("unknown room prefix \"user\"")
        .hasMessageContaining("task, run");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "task", "task:", "task:a b", "task:a:b", "task:é", "task:../x", "task:a\n", "task:a.b", "task:a/b", "task:ａ"})
  @DisplayName("missing separators, empty ids and ids with other characters are refused")
  void refusesMalformed(String value) {
    assertThatThrownBy(() -> RoomKey.parse(value))
        .isInstanceOfSatisfying(ContractException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ROOM));
  }

  @Test
  @DisplayName("ids longer than 64 characters are refused and the message is abbreviated")
  void refusesLongIds() {
    String longId = "x".repeat(200);
    assertThatThrownBy(() -> RoomKey.parse("task:" + longId))
        .hasMessageContaining("1-64 characters")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    assertThat(RoomKey.parse("task:" + "x".repeat(64)).id()).hasSize(64);
  }

  @Test
  @DisplayName("a null room key is refused, not a NullPointerException")
  void refusesNull() {
    assertThatThrownBy(() -> RoomKey.parse(null)).isInstanceOf(ContractException.class);
  }
}

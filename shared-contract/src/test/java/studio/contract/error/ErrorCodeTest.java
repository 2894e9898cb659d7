package studio.contract.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

  @Test
  @DisplayName("wire names and bus failure codes are unique, so either identifies one error")
  void codesAreUnique() {
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).distinct()).hasSize(ErrorCode.values().length);
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::failureCode).distinct())
        .hasSize(ErrorCode.values().length);
  }

  @Test
  @DisplayName("each code round-trips through its wire name and its failure code")
  void roundTrips() {
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(ErrorCode.fromWire(code.wire())).contains(code);
      assertThat(ErrorCode.fromFailureCode(code.failureCode())).contains(code);
    }
    assertThat(ErrorCode.fromWire("nope")).isEmpty();
  }

  @Test
  @DisplayName("the protocol's frame errors carry the names docs/protocol.md documents")
  void protocolNames() {
    assertThat(ErrorCode.BAD_FRAME.wire()).isEqualTo("bad_frame");
    assertThat(ErrorCode.UNKNOWN_OP.wire()).isEqualTo("unknown_op");
    assertThat(ErrorCode.INVALID_ROOM.wire()).isEqualTo("invalid_room");
    assertThat(ErrorCode.FORBIDDEN_ROOM.wire()).isEqualTo("forbidden_room");
    assertThat(ErrorCode.UNAUTHENTICATED.wire()).isEqualTo("unauthenticated");
    assertThat(ErrorCode.RATE_LIMITED.wire()).isEqualTo("rate_limited");
    assertThat(ErrorCode.TOO_LARGE.wire()).isEqualTo("too_large");
  }

  @Test
  @DisplayName("a ContractException renders the one JSON error shape with code, message and field")
  void errorShape() {
    ContractException e = new ContractException(ErrorCode.INVALID_DRAFT, "room_keys[0]", "bad");
    assertThat(e.toJson().getJsonObject("error").getString("code")).isEqualTo("invalid_draft");
    assertThat(e.toJson().getJsonObject("error").getString("field")).isEqualTo("room_keys[0]");
    assertThat(e.toJson().getJsonObject("error").getString("message")).isEqualTo("room_keys[0]: bad");
  }
}

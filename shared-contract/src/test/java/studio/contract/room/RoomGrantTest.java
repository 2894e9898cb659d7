package studio.contract.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.error.ContractException;

class RoomGrantTest {

  @Test
  @DisplayName("an exact pattern grants one room only")
  void exact() {
    RoomGrant grant = RoomGrant.of("thread:12");
    assertThat(grant.allows(RoomKey.parse("thread:12"))).isTrue();
    assertThat(grant.allows(RoomKey.parse("thread:13"))).isFalse();
    assertThat(grant.allows(RoomKey.parse("task:12"))).isFalse();
  }

  @Test
  @DisplayName("kind:* grants every room of that kind and no other kind")
  void kindWildcard() {
    RoomGrant grant = RoomGrant.of("task:*");
    assertThat(grant.allows(RoomKey.parse("task:1"))).isTrue();
    assertThat(grant.allows(RoomKey.parse("task:999"))).isTrue();
    assertThat(grant.allows(RoomKey.parse("run:1"))).isFalse();
  }

  @Test
  @DisplayName("* grants everything, no patterns grant nothing")
  void anyAndNone() {
    assertThat(RoomGrant.of("*").allows(RoomKey.parse("rag_job:1"))).isTrue();
    assertThat(RoomGrant.of().allows(RoomKey.parse("task:1"))).isFalse();
  }

  @Test
  @DisplayName("malformed patterns are refused when the grant is built")
  void malformed() {
    assertThatThrownBy(() -> RoomGrant.of("user:*")).isInstanceOf(ContractException.class);
    assertThatThrownBy(() -> RoomGrant.of("task:a b")).isInstanceOf(ContractException.class);
    assertThatThrownBy(() -> RoomGrant.of("task*")).isInstanceOf(ContractException.class);
  }
}

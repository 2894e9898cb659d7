package studio.contract.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CancelRequestTest {
  @Test
  @DisplayName("one shape for tasks and jobs: {\"id\": n}, read back as written (an int from a decoded bus message too)")
  void roundTrip() {
    assertThat(new CancelRequest(42).toJson()).isEqualTo(new JsonObject().put("id", 42L));
    assertThat(CancelRequest.fromJson(new CancelRequest(9_007_199_254_740_993L).toJson()))
        .contains(new CancelRequest(9_007_199_254_740_993L));
    assertThat(CancelRequest.fromJson(new JsonObject(new CancelRequest(7).toJson().encode()))).contains(new CancelRequest(7));
  }

  @Test
  @DisplayName("a body that names no integral id is ignored, never an exception")
  void malformedIgnored() {
    assertThat(CancelRequest.fromJson(null)).isEmpty();
    assertThat(CancelRequest.fromJson("42")).isEmpty();
    assertThat(CancelRequest.fromJson(new JsonObject())).isEmpty();
    assertThat(CancelRequest.fromJson(new JsonObject().put("id", "42"))).isEmpty();
    assertThat(CancelRequest.fromJson(new JsonObject().put("id", 4.2))).isEmpty();
    assertThat(CancelRequest.fromJson(new JsonObject().put("task_id", 42))).isEmpty();
  }
}

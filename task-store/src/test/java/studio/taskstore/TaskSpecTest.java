package studio.taskstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.error.ContractException;

class TaskSpecTest {
  private static JsonObject spec(String executor, JsonObject params) {
    return new JsonObject().put("executor", executor).put("params", params);
  }

  private static void refused(JsonObject spec, String field, String message) {
    assertThatThrownBy(() -> TaskSpec.parse(spec)).isInstanceOf(ContractException.class)
        .satisfies(e -> assertThat(((ContractException) e).field()).isEqualTo(field))
        .hasMessageContaining(message);
  }

  @Test
  @DisplayName("a valid spec keeps its params and defaults max_attempts")
  void valid() {
    TaskSpec parsed = TaskSpec.parse(spec("sleep", new JsonObject().put("duration_ms", 5)));
    assertThat(parsed.executor()).isEqualTo(ExecutorKind.SLEEP);
    assertThat(parsed.maxAttempts()).isEqualTo(TaskSpec.DEFAULT_MAX_ATTEMPTS);
    assertThat(TaskSpec.fromStored(parsed.toJson())).isEqualTo(parsed);
  }

  @Test
  @DisplayName("unknown executors and bad params are refused naming the field")
  void refusals() {
    refused(new JsonObject(), "executor", "is required");
    refused(spec("teleport", new JsonObject()), "executor", "unknown executor \"teleport\"");
    refused(spec("sleep", new JsonObject().put("duration_ms", -1)), "params.duration_ms", "integer");
    refused(spec("shell", new JsonObject()), "params.command", "is required");
    refused(spec("shell", new JsonObject().put("command", new JsonArray().add(""))), "params.command[0]", "non-empty");
    refused(spec("http", new JsonObject().put("url", "ftp://x/")), "params.url", "http");
    refused(spec("http", new JsonObject().put("url", "http://x/").put("method", "BREW")), "params.method", "one of");
    refused(spec("llm", new JsonObject()), "params.messages", "prompt");
    refused(spec("llm", new JsonObject().put("prompt", "x").put("provider", "nope")), "params.provider", "one of");
    refused(spec("llm", new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "robot")
        .put("content", "x")))), "params.messages[0].role", "one of");
    refused(spec("noop", new JsonObject()).put("max_attempts", 0), "max_attempts", "1-20");
  }
}

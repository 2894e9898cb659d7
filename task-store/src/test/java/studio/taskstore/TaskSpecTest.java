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

  /**
   * What reaches a header block, an environment or an exec call is checked when the task is submitted.
   * Netty and ProcessBuilder refuse these values too, but at send time: the task was accepted (202) and
   * spent its three attempts on "only ' ' and '\t' are allowed after '\n'" before it failed.
   */
  @Test
  @DisplayName("header names and values, environment names and values, and arguments are refused when they could not be sent as given")
  void unsendableParams() {
    JsonObject http = new JsonObject().put("url", "http://x/");
    refused(spec("http", http.copy().put("headers", new JsonObject().put("Bad Name", "v"))), "params.headers.Bad Name",
        "must be an HTTP header name");
    refused(spec("http", http.copy().put("headers", new JsonObject().put("", "v"))), "params.headers.",
        "must be an HTTP header name");
    refused(spec("http", http.copy().put("headers", new JsonObject().put("X-A", "a\r\nX-Injected: 1"))),
        "params.headers.X-A", "must not contain CR, LF or NUL");
    JsonArray command = new JsonArray().add("env");
    refused(spec("shell", new JsonObject().put("command", command).put("env", new JsonObject().put("A=B", "v"))),
        "params.env.A=B", "must be a variable name");
    refused(spec("shell", new JsonObject().put("command", command).put("env", new JsonObject().put("A", "v\u0000w"))),
        "params.env.A", "must not contain NUL");
    refused(spec("shell", new JsonObject().put("command", new JsonArray().add("echo").add("a\u0000b"))),
        "params.command[1]", "must not contain NUL");
    TaskSpec.parse(spec("http", http.copy().put("headers", new JsonObject().put("X-Trace_id.1", "a b\tc"))));
    TaskSpec.parse(spec("shell", new JsonObject().put("command", command).put("env", new JsonObject().put("LANG_1", ""))));
  }
}

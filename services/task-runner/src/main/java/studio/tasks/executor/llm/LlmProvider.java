package studio.tasks.executor.llm;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import studio.tasks.execution.Execution;

/** A chat-completion backend. Streams text through {@code tokens}; completes with {@code {"content", "model", ...}}. */
public interface LlmProvider {
  String name();

  Future<JsonObject> complete(Execution execution, JsonArray messages, String model, Consumer<String> tokens);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}

package studio.tasks.executor;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import studio.contract.envelope.Preview;
import studio.runtime.breaker.CircuitBreakers;
import studio.tasks.TasksConfig;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;
import studio.tasks.executor.llm.EchoProvider;
import studio.tasks.executor.llm.LlmProvider;
import studio.tasks.executor.llm.OpenAiProvider;
import studio.taskstore.ExecutorKind;

/**
 * A chat completion. The provider is the spec's, else {@code STUDIO_LLM_PROVIDER}; when it fails
 * before any text arrived and {@code STUDIO_LLM_FALLBACK_PROVIDER} names another, that one answers.
 * The runtime block records what was selected, what answered and why it fell back. Each provider has
 * its own circuit breaker: while a provider keeps failing, its circuit opens and a call fails at once
 * ({@code provider_unavailable: circuit open ...}), which lets the fallback answer without waiting.
 */
public final class LlmExecutor implements Executor {
  private final TasksConfig.Llm config;
  private final Map<String, LlmProvider> providers;
  private final CircuitBreakers breakers;

  public LlmExecutor(Vertx vertx, TasksConfig.Llm config, CircuitBreakers breakers) {
    this.config = config;
    this.breakers = breakers;
    this.providers = Map.of("echo", new EchoProvider(vertx, config.echoTokenDelay()),
        "openai", new OpenAiProvider(vertx, config));
  }

  @Override
  public ExecutorKind kind() {
    return ExecutorKind.LLM;
  }

  @Override
  public Future<JsonObject> execute(Execution execution) {
    JsonObject params = execution.params();
    JsonArray messages = params.getJsonArray("messages", new JsonArray()).copy();
    if (params.getString("prompt") != null) {
      messages.add(new JsonObject().put("role", "user").put("content", params.getString("prompt")));
    }
    String selected = params.getString("provider", config.provider());
    execution.runtime().put("selected_provider", selected).put("final_provider", selected)
        .put("dispatch_status", "dispatched").putNull("fallback");
    int[] tokens = {0};
    return attempt(execution, selected, messages, tokens).recover(failure -> {
      String fallback = config.fallbackProvider();
      if (fallback == null || fallback.equals(selected) || tokens[0] > 0 || execution.isCancelled()) {
        execution.runtime().put("dispatch_status", "failed");
        return Future.failedFuture(failure);
      }
      // The runtime block travels in every later event of the task, so the provider's reason is a preview.
      execution.runtime().put("final_provider", fallback).put("fallback", Preview.putText(new JsonObject()
          .put("from", selected).put("to", fallback), "reason", failure.getMessage()));
      execution.stage("fallback", Preview.putText(new JsonObject().put("provider", fallback), "reason",
          failure.getMessage()));
      return attempt(execution, fallback, messages, tokens);
    }).map(result -> {
      execution.runtime().put("dispatch_status", "completed");
      return result.put("provider", execution.runtime().getString("final_provider")).put("tokens", tokens[0]);
    });
  }

  private Future<JsonObject> attempt(Execution execution, String name, JsonArray messages, int[] tokens) {
    LlmProvider provider = providers.get(name);
    if (provider == null) {
      return Future.failedFuture(TaskFailure.permanent("unknown provider " + name));
    }
    String model = execution.params().getString("model", name.equals("echo") ? "echo" : config.model());
    execution.runtime().put("model", model);
    execution.stage("generating", new JsonObject().put("provider", name).put("model", model));
    return breakers.call(name, () -> provider.complete(execution, messages, model, token -> {
      tokens[0]++;
      execution.stream(token);
    })).recover(failure -> Future.failedFuture(TaskFailure.circuitOpen(failure)));
  }

  @Override
  public Future<Void> close() {
    breakers.close();
    return Future.join(providers.values().stream().map(LlmProvider::close).toList()).mapEmpty();
  }
}

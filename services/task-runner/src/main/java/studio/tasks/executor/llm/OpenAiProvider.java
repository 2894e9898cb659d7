package studio.tasks.executor.llm;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.util.function.Consumer;
import studio.tasks.TasksConfig;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;

/**
 * Any OpenAI-compatible server: {@code POST <base>/v1/chat/completions} with {@code stream: true},
 * read as server-sent events ({@code data: {...choices[0].delta.content}} until {@code data: [DONE]}).
 * 429 and 5xx may succeed later; other refusals will not. Cancel resets the request.
 */
public final class OpenAiProvider implements LlmProvider {
  private final Vertx vertx;
  private final TasksConfig.Llm config;
  private final HttpClient client;

  public OpenAiProvider(Vertx vertx, TasksConfig.Llm config) {
    this.vertx = vertx;
    this.config = config;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000));
  }

  @Override
  public String name() {
    return "openai";
  }

  @Override
  public Future<JsonObject> complete(Execution execution, JsonArray messages, String model, Consumer<String> tokens) {
    if (config.baseUrl() == null) {
      return Future.failedFuture(TaskFailure.permanent("provider openai is not configured: set STUDIO_LLM_BASE_URL"));
    }
    String url = config.baseUrl().endsWith("/v1") ? config.baseUrl() + "/chat/completions"
        : config.baseUrl() + "/v1/chat/completions";
    RequestOptions options = new RequestOptions().setAbsoluteURI(url).setMethod(HttpMethod.POST)
        .addHeader("Content-Type", "application/json").addHeader("Accept", "text/event-stream");
    if (config.apiKey() != null) {
      options.addHeader("Authorization", "Bearer " + config.apiKey());
    }
    JsonObject body = new JsonObject().put("model", model).put("messages", messages).put("stream", true);
    Promise<JsonObject> outcome = Promise.promise();
    long timer = vertx.setTimer(config.timeout().toMillis(), fired -> outcome.tryFail(
        TaskFailure.transientFailure("no complete answer from " + url + " within " + config.timeout().toMillis() + " ms")));
    client.request(options)
        .compose(request -> {
          outcome.future().onFailure(stopped -> request.reset());
          execution.cancelled().onSuccess(reason -> outcome.tryFail(TaskFailure.permanent(reason)));
          return request.send(body.encode());
        })
        .compose(response -> response.statusCode() == 200 ? stream(response, tokens) : refusal(url, response))
        .onComplete(read -> {
          vertx.cancelTimer(timer);
          if (read.succeeded()) {
            outcome.tryComplete(read.result().put("model", model));
          } else {
            outcome.tryFail(read.cause() instanceof TaskFailure ? read.cause()
                : TaskFailure.transientFailure("POST " + url + " failed: " + read.cause().getMessage()));
          }
        });
    return outcome.future();
  }

  private static Future<JsonObject> stream(HttpClientResponse response, Consumer<String> tokens) {
    Promise<JsonObject> done = Promise.promise();
    StringBuilder content = new StringBuilder();
    String[] finish = {null};
    RecordParser lines = RecordParser.newDelimited("\n", response);
    lines.handler(raw -> {
      String line = raw.toString().trim();
      if (!line.startsWith("data:")) {
        return;
      }
      String data = line.substring(5).trim();
      if (data.equals("[DONE]")) {
        return;
      }
      try {
        JsonObject choice = new JsonObject(data).getJsonArray("choices", new JsonArray()).getJsonObject(0);
        if (choice == null) {
          return;
        }
        String delta = choice.getJsonObject("delta", new JsonObject()).getString("content");
        if (delta != null && !delta.isEmpty()) {
          content.append(delta);
          tokens.accept(delta);
        }
        if (choice.getString("finish_reason") != null) {
          finish[0] = choice.getString("finish_reason");
        }
      } catch (DecodeException | ClassCastException malformed) {
        done.tryFail(TaskFailure.permanent("the provider sent a malformed stream event: " + data));
      }
    });
    lines.exceptionHandler(done::tryFail);
    lines.endHandler(ended -> done.tryComplete(new JsonObject().put("content", content.toString())
        .put("finish_reason", finish[0])));
    return done.future();
  }

  private static Future<JsonObject> refusal(String url, HttpClientResponse response) {
    int status = response.statusCode();
    return response.body().map(Buffer::toString).otherwise("").compose(text -> {
      String message = "HTTP " + status + " from " + url + (text.isBlank() ? "" : ": "
          + (text.length() > 500 ? text.substring(0, 500) : text));
      boolean retryable = status == 429 || status >= 500;
      return Future.failedFuture(new TaskFailure(message, retryable));
    });
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}

package studio.tasks.executor;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import studio.tasks.TasksConfig;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;
import studio.taskstore.ExecutorKind;

/**
 * One HTTP request; the status, content type and body (up to the output cap) become the result. A
 * 5xx or a connection failure may succeed later (retryable); a 4xx will not. Cancel resets the
 * request, so the connection is not left reading.
 */
public final class HttpExecutor implements Executor {
  private final Vertx vertx;
  private final TasksConfig.Http config;
  private final HttpClient client;

  public HttpExecutor(Vertx vertx, TasksConfig.Http config) {
    this.vertx = vertx;
    this.config = config;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(
        (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis())));
  }

  @Override
  public ExecutorKind kind() {
    return ExecutorKind.HTTP;
  }

  @Override
  public Future<JsonObject> execute(Execution execution) {
    JsonObject params = execution.params();
    String url = params.getString("url");
    HttpMethod method = HttpMethod.valueOf(params.getString("method", "GET").toUpperCase(Locale.ROOT));
    long timeout = Math.min(params.getLong("timeout_ms", Long.MAX_VALUE), config.timeout().toMillis());
    RequestOptions options = new RequestOptions().setAbsoluteURI(url).setMethod(method);
    params.getJsonObject("headers", new JsonObject()).forEach(header -> options.addHeader(header.getKey(),
        String.valueOf(header.getValue())));
    execution.stage("requesting", new JsonObject().put("method", method.name()).put("url", url));
    Promise<JsonObject> outcome = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeout), fired ->
        outcome.tryFail(TaskFailure.transientFailure("no complete answer from " + url + " within " + timeout + " ms")));
    client.request(options)
        .compose(request -> {
          outcome.future().onFailure(stopped -> request.reset());
          execution.cancelled().onSuccess(reason -> outcome.tryFail(TaskFailure.permanent(reason)));
          String body = params.getString("body");
          return body == null ? request.send() : request.send(body);
        })
        .compose(this::read)
        .onComplete(read -> {
          vertx.cancelTimer(timer);
          if (read.succeeded()) {
            outcome.tryComplete(read.result());
          } else {
            outcome.tryFail(read.cause() instanceof TaskFailure ? read.cause()
                : TaskFailure.transientFailure(method + " " + url + " failed: " + read.cause().getMessage()));
          }
        });
    return outcome.future().compose(result -> judge(url, result));
  }

  private Future<JsonObject> read(HttpClientResponse response) {
    Promise<JsonObject> read = Promise.promise();
    Buffer body = Buffer.buffer();
    boolean[] truncated = {false};
    response.handler(chunk -> {
      long room = config.responseMax() - body.length();
      if (chunk.length() > room) {
        truncated[0] = true;
      }
      if (room > 0) {
        body.appendBuffer(chunk.length() > room ? chunk.getBuffer(0, (int) room) : chunk);
      }
    });
    response.exceptionHandler(read::tryFail);
    response.endHandler(ended -> read.tryComplete(new JsonObject().put("status", response.statusCode())
        .put("content_type", response.getHeader("Content-Type"))
        .put("body", body.toString()).put("body_truncated", truncated[0])));
    return read.future();
  }

  private static Future<JsonObject> judge(String url, JsonObject result) {
    int status = result.getInteger("status");
    if (status >= 500) {
      return Future.failedFuture(TaskFailure.transientFailure("HTTP " + status + " from " + url));
    }
    if (status >= 400) {
      return Future.failedFuture(TaskFailure.permanent("HTTP " + status + " from " + url));
    }
    return Future.succeededFuture(result);
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}

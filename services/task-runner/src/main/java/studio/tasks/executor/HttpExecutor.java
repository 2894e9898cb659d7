package studio.tasks.executor;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import studio.runtime.breaker.CircuitBreakers;
import studio.runtime.egress.EgressClient;
import studio.runtime.egress.EgressDenied;
import studio.runtime.egress.EgressNetwork;
import studio.runtime.egress.EgressPolicy;
import studio.tasks.TasksConfig;
import studio.tasks.execution.Execution;
import studio.tasks.execution.TaskFailure;
import studio.taskstore.ExecutorKind;

/**
 * One HTTP request; the status, content type and body (up to the output cap) become the result. The
 * URL and every redirect hop go through the egress policy, which connects to the address it checked;
 * redirects are followed here, hop by hop, up to {@code STUDIO_TASKS_HTTP_MAX_REDIRECTS}. A refused
 * address fails the task for good ({@code egress_denied}); a 5xx or a connection failure may succeed
 * later (retryable); a 4xx will not. Cancel resets the request, so the connection is not left reading.
 * Each host (and port) has its own circuit breaker: once it keeps failing that way, tasks calling it
 * fail at once ({@code provider_unavailable: circuit open ...}) until a probe succeeds.
 */
public final class HttpExecutor implements Executor {
  private static final List<Integer> REDIRECTS = List.of(301, 302, 303, 307, 308);
  /** Credentials the user meant for the first origin; a redirect elsewhere does not get them. */
  private static final List<CharSequence> CREDENTIALS = List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.COOKIE,
      HttpHeaders.PROXY_AUTHORIZATION);
  private final Vertx vertx;
  private final TasksConfig.Http config;
  private final HttpClient client;
  private final EgressClient egress;
  private final CircuitBreakers breakers;

  public HttpExecutor(Vertx vertx, TasksConfig.Http config, EgressNetwork network, CircuitBreakers breakers) {
    this.vertx = vertx;
    this.breakers = breakers;
    this.config = config;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(
        (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis())));
    this.egress = new EgressClient(vertx, client, new EgressPolicy(config.egress()), network);
  }

  @Override
  public ExecutorKind kind() {
    return ExecutorKind.HTTP;
  }

  /** One request to send: where, how, with which headers and body (null: none). */
  private record Hop(URI uri, HttpMethod method, MultiMap headers, String body) {
  }

  @Override
  public Future<JsonObject> execute(Execution execution) {
    return breakers.call(authority(execution.params().getString("url")), () -> send(execution))
        .recover(failure -> Future.failedFuture(TaskFailure.circuitOpen(failure)));
  }

  /** {@code host[:port]} of the URL asked for, naming its breaker; null (unguarded) when it has none. */
  private static String authority(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getHost() == null ? null : uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    } catch (RuntimeException malformed) {
      return null;
    }
  }

  private Future<JsonObject> send(Execution execution) {
    JsonObject params = execution.params();
    String url = params.getString("url");
    HttpMethod method = HttpMethod.valueOf(params.getString("method", "GET").toUpperCase(Locale.ROOT));
    long timeout = Math.min(params.getLong("timeout_ms", Long.MAX_VALUE), config.timeout().toMillis());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    params.getJsonObject("headers", new JsonObject()).forEach(header -> headers.add(header.getKey(),
        String.valueOf(header.getValue())));
    execution.stage("requesting", new JsonObject().put("method", method.name()).put("url", url));
    Promise<JsonObject> outcome = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeout), fired ->
        outcome.tryFail(TaskFailure.transientFailure("no complete answer from " + url + " within " + timeout + " ms")));
    execution.cancelled().onSuccess(reason -> outcome.tryFail(TaskFailure.permanent(reason)));
    Future.succeededFuture(url)
        .map(checked -> new Hop(URI.create(checked), method, headers, params.getString("body")))
        .compose(first -> follow(first, config.maxRedirects(), outcome.future(), execution))
        .compose(this::read)
        .onComplete(read -> {
          vertx.cancelTimer(timer);
          if (read.succeeded()) {
            outcome.tryComplete(read.result());
          } else {
            outcome.tryFail(failure(method + " " + url, read.cause()));
          }
        });
    return outcome.future().compose(result -> judge(url, result));
  }

  /** Sends {@code hop}; a redirect is drained and followed (through the policy again) while hops are left. */
  private Future<HttpClientResponse> follow(Hop hop, int redirectsLeft, Future<JsonObject> outcome, Execution execution) {
    RequestOptions options = new RequestOptions().setMethod(hop.method()).setHeaders(hop.headers());
    return egress.request(hop.uri(), options)
        .compose(request -> {
          outcome.onFailure(stopped -> request.reset());
          return hop.body() == null ? request.send() : request.send(hop.body());
        })
        .compose(response -> {
          String location = response.getHeader(HttpHeaders.LOCATION);
          if (!REDIRECTS.contains(response.statusCode()) || location == null || config.maxRedirects() == 0) {
            return Future.succeededFuture(response);
          }
          if (redirectsLeft == 0) {
            return drain(response).transform(drained -> Future.failedFuture(TaskFailure.permanent(
                "too many redirects (more than " + config.maxRedirects() + ") from " + hop.uri())));
          }
          Hop next = next(hop, response.statusCode(), location);
          execution.stage("redirected", new JsonObject().put("status", response.statusCode())
              .put("method", next.method().name()).put("url", next.uri().toString()));
          return drain(response).compose(drained -> follow(next, redirectsLeft - 1, outcome, execution));
        });
  }

  /** Reads a redirect's body to its end without keeping it, so the connection can serve the next request. */
  private static Future<Void> drain(HttpClientResponse response) {
    response.handler(ignored -> { });
    return response.end();
  }

  /**
   * The request a redirect asks for, as browsers make it: 303 (and 301/302 after a POST) becomes a GET
   * without body; otherwise the same method and body. Credentials stay with the origin they were given for.
   */
  private static Hop next(Hop hop, int status, String location) {
    URI target;
    try {
      target = hop.uri().resolve(location.trim());
    } catch (IllegalArgumentException malformed) {
      throw TaskFailure.permanent("redirect from " + hop.uri() + " to an invalid Location \"" + location + "\"");
    }
    boolean toGet = (status == 303 && hop.method() != HttpMethod.HEAD)
        || ((status == 301 || status == 302) && hop.method() == HttpMethod.POST);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(hop.headers());
    if (toGet) {
      headers.remove(HttpHeaders.CONTENT_TYPE).remove(HttpHeaders.CONTENT_LENGTH);
    }
    if (!sameOrigin(hop.uri(), target)) {
      CREDENTIALS.forEach(headers::remove);
    }
    return new Hop(target, toGet ? HttpMethod.GET : hop.method(), headers, toGet ? null : hop.body());
  }

  private static boolean sameOrigin(URI a, URI b) {
    return String.valueOf(a.getScheme()).equalsIgnoreCase(b.getScheme()) && String.valueOf(a.getHost()).equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  private static TaskFailure failure(String what, Throwable cause) {
    if (cause instanceof TaskFailure task) {
      return task;
    }
    if (cause instanceof EgressDenied denied) {
      return TaskFailure.permanent(denied.getMessage());
    }
    return TaskFailure.transientFailure(what + " failed: " + cause.getMessage());
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
    breakers.close();
    return client.close();
  }
}

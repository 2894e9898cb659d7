package studio.downloads.transfer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import studio.contract.error.ContractException;
import studio.downloads.DownloadsConfig;
import studio.downloads.job.Abort;
import studio.downloads.job.JobFailure;
import studio.downloads.job.RetryableFailure;
import studio.downloadstore.SourceUrl;
import studio.runtime.breaker.CircuitBreakers;
import studio.runtime.breaker.CircuitOpen;
import studio.runtime.egress.EgressClient;
import studio.runtime.egress.EgressDenied;
import studio.runtime.egress.EgressNetwork;
import studio.runtime.egress.EgressPolicy;

/**
 * GETs a URL for the download service. Redirects are followed here (not by the client) so every
 * hop is checked: http(s) only, an allowed host, at most {@code maxRedirects}, and the egress policy
 * on the address the hop resolves to, which is the address it connects to (the configured
 * HuggingFace endpoint's origin is trusted as configured). The HuggingFace token goes only to that
 * origin, never to a CDN a redirect points to. Answers other than 2xx and 416 fail: 5xx, 408 and 429
 * as retryable, other statuses for good; a refused address fails with {@link EgressDenied}. Each host
 * (and port) asked for has its own circuit breaker: once its fetches keep failing in a retryable way,
 * the next ones fail at once ({@code provider_unavailable: circuit open ...}, itself retryable, so the
 * job's retries wait with backoff) until a probe after the reset timeout succeeds.
 */
public final class HttpFetcher {
  public static final int RANGE_NOT_SATISFIABLE = 416;
  private final HttpClient client;
  private final EgressClient egress;
  private final DownloadsConfig config;
  private final HostAllowlist allowlist;
  private final CircuitBreakers breakers;
  private final Counter received;

  public HttpFetcher(Vertx vertx, DownloadsConfig config, EgressNetwork network, MeterRegistry metrics) {
    this.config = config;
    this.breakers = new CircuitBreakers(vertx, "download", config.breaker(),
        failure -> failure instanceof RetryableFailure, metrics);
    this.allowlist = new HostAllowlist(config.allowedHosts());
    // A counter, not a rate: Prometheus derives bytes/s over any window (rate(...[1m])).
    this.received = Counter.builder("studio_downloads_received_bytes")
        .description("bytes of download bodies received, counted as they arrive").register(metrics);
    // Bytes are stored as served: no transparent decompression, which would break sizes and digests.
    this.client = vertx.createHttpClient(new HttpClientOptions().setDecompressionSupported(false).setKeepAlive(true)
            .setConnectTimeout((int) config.connectTimeout().toMillis()),
        new PoolOptions().setHttp1MaxSize(Math.max(4, config.concurrency() * 2)));
    this.egress = new EgressClient(vertx, client, new EgressPolicy(config.egress()).trusting(config.hfEndpoint()), network);
  }

  /** A paused response with status 2xx or 416; {@code rangeFrom > 0} asks for the bytes from there on. */
  public Future<HttpClientResponse> get(String url, long rangeFrom, Abort abort) {
    URI uri;
    try {
      uri = checked(url, "url");
    } catch (RuntimeException refused) {
      return Future.failedFuture(refused);
    }
    String host = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    return breakers.call(host, () -> request(uri, rangeFrom, config.maxRedirects(), url, abort))
        .recover(failure -> Future.failedFuture(failure instanceof CircuitOpen open
            ? new RetryableFailure(open.getMessage()) : failure));
  }

  /** Counts body bytes as they stream in, so the rate shows during a long file, not only at its end. */
  public void received(int bytes) {
    received.increment(bytes);
  }

  public Future<Void> close() {
    breakers.close();
    return client.close();
  }

  private Future<HttpClientResponse> request(URI uri, long rangeFrom, int redirectsLeft, String original, Abort abort) {
    abort.check();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setConnectTimeout(config.connectTimeout().toMillis()).setIdleTimeout(config.idleTimeout().toMillis());
    if (rangeFrom > 0) {
      options.putHeader("Range", "bytes=" + rangeFrom + "-");
    }
    if (config.hfToken() != null && sameOrigin(uri, config.hfEndpoint())) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + config.hfToken());
    }
    return egress.request(uri, options)
        .compose(request -> {
          abort.watch(request);
          return request.send();
        })
        .recover(failure -> Future.failedFuture(abort.aborted() ? abort.failure()
            : failure instanceof EgressDenied ? failure
            : new RetryableFailure("GET " + uri + " failed: " + describe(failure))))
        .compose(response -> {
          int status = response.statusCode();
          String location = response.getHeader(HttpHeaders.LOCATION);
          if (status >= 300 && status < 400 && location != null) {
            if (redirectsLeft == 0) {
              return discard(response, new JobFailure("too many redirects (more than " + config.maxRedirects()
                  + ") fetching " + original));
            }
            URI next = checked(uri.resolve(location).toString(), "redirect from " + uri);
            return discard(response).transform(ignored -> request(next, rangeFrom, redirectsLeft - 1, original, abort));
          }
          if (status / 100 == 2 || status == RANGE_NOT_SATISFIABLE) {
            return Future.succeededFuture(response.pause());
          }
          String reason = "HTTP " + status + " " + response.statusMessage() + " from " + uri;
          boolean retryable = status >= 500 || status == 408 || status == 429;
          return discard(response, retryable ? new RetryableFailure(reason) : new JobFailure(reason));
        });
  }

  private URI checked(String url, String what) {
    URI uri;
    try {
      uri = SourceUrl.validate(url, what);
    } catch (ContractException refused) {
      throw new JobFailure(refused.getMessage());
    }
    if (!allowlist.allows(uri.getHost())) {
      throw new JobFailure("host " + uri.getHost() + " is not in " + DownloadsConfig.ALLOWED_HOSTS + " (" + what + ")");
    }
    return uri;
  }

  private static Future<HttpClientResponse> discard(HttpClientResponse response, RuntimeException failure) {
    return discard(response).transform(ignored -> Future.failedFuture(failure));
  }

  /** Reads and drops the rest of a (possibly paused) response, so its connection can be reused. */
  public static Future<Buffer> discard(HttpClientResponse response) {
    Future<Buffer> body = response.body();
    response.resume();
    return body;
  }

  private static boolean sameOrigin(URI uri, URI endpoint) {
    return uri.getScheme().equalsIgnoreCase(endpoint.getScheme()) && uri.getHost().equalsIgnoreCase(endpoint.getHost())
        && port(uri) == port(endpoint);
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }
}

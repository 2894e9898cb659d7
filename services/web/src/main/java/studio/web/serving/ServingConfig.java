package studio.web.serving;

import java.time.Duration;
import studio.runtime.config.Settings;

/**
 * The serving knobs the Gunicorn deployment had, for the web gateway's HTTP server.
 *
 * @param instances event-loop instances of the HTTP server (Gunicorn workers)
 * @param maxConnections open connections per process beyond which new requests get 503 (0: no limit)
 * @param requestTimeout a request not answered within it gets 504 (Gunicorn timeout)
 * @param keepAliveTimeout an idle keep-alive connection is closed after it (Gunicorn keepalive)
 * @param accessLog access log format, or off
 * @param maxRequestsPerConnection close a keep-alive connection after this many requests, plus up to
 *     {@code maxRequestsJitter}, so clients reconnect and spread over replicas added since (0: never)
 */
public record ServingConfig(int instances, int maxConnections, Duration requestTimeout, Duration keepAliveTimeout,
                            AccessLogFormat accessLog, int maxRequestsPerConnection, int maxRequestsJitter) {
  public static final String INSTANCES = "STUDIO_HTTP_INSTANCES";
  public static final String MAX_CONNECTIONS = "STUDIO_HTTP_MAX_CONNECTIONS";
  public static final String REQUEST_TIMEOUT = "STUDIO_HTTP_REQUEST_TIMEOUT";
  public static final String KEEPALIVE_TIMEOUT = "STUDIO_HTTP_KEEPALIVE_TIMEOUT";
  public static final String ACCESS_LOG = "STUDIO_HTTP_ACCESS_LOG";
  public static final String MAX_REQUESTS = "STUDIO_HTTP_MAX_REQUESTS";
  public static final String MAX_REQUESTS_JITTER = "STUDIO_HTTP_MAX_REQUESTS_JITTER";

  public enum AccessLogFormat { OFF, COMBINED, JSON }

  public static ServingConfig from(Settings settings) {
    return new ServingConfig(
        settings.intAtLeast(INSTANCES, Runtime.getRuntime().availableProcessors(), 1),
        settings.intAtLeast(MAX_CONNECTIONS, 10_000, 0),
        settings.duration(REQUEST_TIMEOUT, Duration.ofSeconds(30)),
        settings.duration(KEEPALIVE_TIMEOUT, Duration.ofSeconds(75)),
        settings.oneOf(ACCESS_LOG, AccessLogFormat.OFF, AccessLogFormat.class),
        settings.intAtLeast(MAX_REQUESTS, 0, 0),
        settings.intAtLeast(MAX_REQUESTS_JITTER, 0, 0));
  }

  /** Each instance guards its share, so the process as a whole stays within the limit. */
  public int maxConnectionsPerInstance() {
    return maxConnections == 0 ? 0 : Math.max(1, (maxConnections + instances - 1) / instances);
  }
}

package studio.downloads;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import studio.runtime.breaker.BreakerConfig;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.runtime.egress.EgressConfig;

/**
 * The download service's own knobs. {@code workspace} null means {@code <STUDIO_DATA_DIR>/workspace};
 * {@code allowedHosts} empty means any host (each still subject to the egress policy, {@code egress});
 * {@code hfToken} null means anonymous; {@code breaker}: when fetches from a host that keeps failing stop
 * being made for a while.
 */
public record DownloadsConfig(
    int port,
    Path workspace,
    int concurrency,
    Duration lease,
    Duration pollInterval,
    int retries,
    Duration retryBackoff,
    int maxRedirects,
    List<String> allowedHosts,
    long maxJobBytes,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration progressInterval,
    URI hfEndpoint,
    String hfToken,
    EgressConfig egress,
    BreakerConfig breaker) {

  public static final String PORT = "STUDIO_DOWNLOADS_PORT";
  public static final String WORKSPACE = "STUDIO_DOWNLOADS_WORKSPACE";
  public static final String CONCURRENCY = "STUDIO_DOWNLOADS_CONCURRENCY";
  public static final String LEASE = "STUDIO_DOWNLOADS_LEASE";
  public static final String POLL_INTERVAL = "STUDIO_DOWNLOADS_POLL_INTERVAL";
  public static final String RETRIES = "STUDIO_DOWNLOADS_RETRIES";
  public static final String RETRY_BACKOFF = "STUDIO_DOWNLOADS_RETRY_BACKOFF";
  public static final String MAX_REDIRECTS = "STUDIO_DOWNLOADS_MAX_REDIRECTS";
  public static final String ALLOWED_HOSTS = "STUDIO_DOWNLOADS_ALLOWED_HOSTS";
  public static final String MAX_JOB_BYTES = "STUDIO_DOWNLOADS_MAX_JOB_BYTES";
  public static final String CONNECT_TIMEOUT = "STUDIO_DOWNLOADS_CONNECT_TIMEOUT";
  public static final String IDLE_TIMEOUT = "STUDIO_DOWNLOADS_IDLE_TIMEOUT";
  public static final String PROGRESS_INTERVAL = "STUDIO_DOWNLOADS_PROGRESS_INTERVAL";
  public static final String HF_ENDPOINT = "STUDIO_HF_ENDPOINT";
  public static final String HF_TOKEN = "STUDIO_HF_TOKEN";

  public static DownloadsConfig from(Settings settings) {
    Duration lease = settings.duration(LEASE, Duration.ofSeconds(30));
    if (lease.toMillis() < 1000) {
      throw new ConfigException("invalid config " + LEASE + "=\"" + settings.string(LEASE, "") + "\": expected at least 1s");
    }
    return new DownloadsConfig(
        settings.port(PORT, 8083),
        settings.optional(WORKSPACE).map(Path::of).orElse(null),
        settings.intAtLeast(CONCURRENCY, 2, 1),
        lease,
        positive(settings, POLL_INTERVAL, Duration.ofSeconds(5)),
        settings.intAtLeast(RETRIES, 5, 0),
        positive(settings, RETRY_BACKOFF, Duration.ofSeconds(1)),
        settings.intAtLeast(MAX_REDIRECTS, 10, 0),
        settings.list(ALLOWED_HOSTS).stream().map(host -> host.toLowerCase(Locale.ROOT)).toList(),
        settings.bytes(MAX_JOB_BYTES, 500L << 30),
        positive(settings, CONNECT_TIMEOUT, Duration.ofSeconds(30)),
        positive(settings, IDLE_TIMEOUT, Duration.ofSeconds(60)),
        positive(settings, PROGRESS_INTERVAL, Duration.ofMillis(250)),
        endpoint(settings.string(HF_ENDPOINT, "https://huggingface.co")),
        settings.optional(HF_TOKEN).orElse(null),
        EgressConfig.from(settings),
        BreakerConfig.from(settings));
  }

  /** Where downloads land: the configured workspace, or {@code workspace} under the data directory. */
  public Path workspaceUnder(Path dataDirectory) {
    return (workspace != null ? workspace : dataDirectory.resolve("workspace")).toAbsolutePath().normalize();
  }

  private static Duration positive(Settings settings, String knob, Duration defaultValue) {
    Duration value = settings.duration(knob, defaultValue);
    if (value.isZero()) {
      throw new ConfigException("invalid config " + knob + "=\"0\": expected a duration greater than zero");
    }
    return value;
  }

  private static URI endpoint(String raw) {
    try {
      URI uri = URI.create(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException malformed) {
      // refused below
    }
    throw new ConfigException("invalid config " + HF_ENDPOINT + "=\"" + raw + "\": expected an http(s) URL such as https://huggingface.co");
  }

  @Override
  public String toString() {
    return "DownloadsConfig[port=" + port + ", concurrency=" + concurrency + ", hfEndpoint=" + hfEndpoint
        + ", hfToken=" + (hfToken == null ? "none" : "***") + "]";
  }
}

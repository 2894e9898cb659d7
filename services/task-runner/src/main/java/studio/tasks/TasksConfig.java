package studio.tasks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import studio.runtime.breaker.BreakerConfig;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.runtime.egress.EgressConfig;

/**
 * The task runner's own knobs, with their defaults. {@code breaker}: when calls to an LLM provider or
 * an http task's host stop being made after repeated failures.
 */
public record TasksConfig(int port, Queue queue, Shell shell, Http http, Llm llm, BreakerConfig breaker) {
  public static final String PORT = "STUDIO_TASKS_PORT";
  public static final String CONCURRENCY = "STUDIO_TASKS_CONCURRENCY";
  public static final String LEASE = "STUDIO_TASKS_LEASE";
  public static final String POLL_INTERVAL = "STUDIO_TASKS_POLL_INTERVAL";
  public static final String RETRY_BACKOFF = "STUDIO_TASKS_RETRY_BACKOFF";
  public static final String RETRY_BACKOFF_MAX = "STUDIO_TASKS_RETRY_BACKOFF_MAX";
  public static final String LOG_BATCH_INTERVAL = "STUDIO_TASKS_LOG_BATCH_INTERVAL";
  public static final String SHELL_ENABLED = "STUDIO_TASKS_SHELL_ENABLED";
  public static final String WORKSPACE_DIR = "STUDIO_TASKS_WORKSPACE_DIR";
  public static final String SHELL_TIMEOUT = "STUDIO_TASKS_SHELL_TIMEOUT";
  public static final String SHELL_ENV_ALLOWLIST = "STUDIO_TASKS_SHELL_ENV_ALLOWLIST";
  public static final String OUTPUT_MAX = "STUDIO_TASKS_OUTPUT_MAX";
  public static final String HTTP_TIMEOUT = "STUDIO_TASKS_HTTP_TIMEOUT";
  public static final String HTTP_MAX_REDIRECTS = "STUDIO_TASKS_HTTP_MAX_REDIRECTS";
  public static final String LLM_PROVIDER = "STUDIO_LLM_PROVIDER";
  public static final String LLM_FALLBACK_PROVIDER = "STUDIO_LLM_FALLBACK_PROVIDER";
  public static final String LLM_BASE_URL = "STUDIO_LLM_BASE_URL";
  public static final String LLM_API_KEY = "STUDIO_LLM_API_KEY";
  public static final String LLM_MODEL = "STUDIO_LLM_MODEL";
  public static final String LLM_TIMEOUT = "STUDIO_LLM_TIMEOUT";
  public static final String LLM_STREAM_BATCH = "STUDIO_LLM_STREAM_BATCH";
  public static final String LLM_ECHO_TOKEN_DELAY = "STUDIO_LLM_ECHO_TOKEN_DELAY";

  /** Claiming: how many tasks at once, how long a claim holds without renewal, retries. */
  public record Queue(int concurrency, Duration lease, Duration pollInterval, Duration retryBackoff,
                      Duration retryBackoffMax, Duration logBatchInterval) {
    /** Renewed three times per lease, so two missed renewals in a row still keep the task. */
    public Duration renewInterval() {
      return lease.dividedBy(3);
    }
  }

  public record Shell(boolean enabled, Path workspaceDir, Duration timeout, List<String> envAllowlist, long outputMax) {
  }

  /** The http executor: its time limit, the recorded body cap, redirects followed, and the egress policy's knobs. */
  public record Http(Duration timeout, long responseMax, int maxRedirects, EgressConfig egress) {
  }

  public record Llm(String provider, String fallbackProvider, String baseUrl, String apiKey, String model,
                    Duration timeout, Duration streamBatch, Duration echoTokenDelay) {
  }

  public static TasksConfig from(Settings settings) {
    Duration lease = settings.duration(LEASE, Duration.ofSeconds(30));
    if (lease.toMillis() < 300) {
      throw ConfigException.invalid(LEASE, lease.toMillis() + "ms", "a duration of at least 300ms");
    }
    long outputMax = settings.bytes(OUTPUT_MAX, 1 << 20);
    Queue queue = new Queue(settings.intAtLeast(CONCURRENCY, 8, 1), lease,
        positive(settings, POLL_INTERVAL, Duration.ofSeconds(5)),
        settings.duration(RETRY_BACKOFF, Duration.ofSeconds(2)),
        settings.duration(RETRY_BACKOFF_MAX, Duration.ofMinutes(5)),
        positive(settings, LOG_BATCH_INTERVAL, Duration.ofMillis(250)));
    Shell shell = new Shell(settings.bool(SHELL_ENABLED, false),
        settings.optional(WORKSPACE_DIR).map(Path::of).orElse(CommonConfig.dataDirectory(settings).resolve("workspace").resolve("tasks")),
        positive(settings, SHELL_TIMEOUT, Duration.ofMinutes(10)),
        settings.optional(SHELL_ENV_ALLOWLIST).isPresent() ? settings.list(SHELL_ENV_ALLOWLIST)
            : List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"),
        outputMax);
    Http http = new Http(positive(settings, HTTP_TIMEOUT, Duration.ofSeconds(60)), outputMax,
        settings.intAtLeast(HTTP_MAX_REDIRECTS, 10, 0), EgressConfig.from(settings));
    String provider = provider(settings, LLM_PROVIDER, "echo");
    String fallback = settings.optional(LLM_FALLBACK_PROVIDER).isPresent() ? provider(settings, LLM_FALLBACK_PROVIDER, null) : null;
    Llm llm = new Llm(provider, fallback, settings.optional(LLM_BASE_URL).map(TasksConfig::trimSlash).orElse(null),
        settings.optional(LLM_API_KEY).orElse(null), settings.string(LLM_MODEL, "gpt-4o-mini"),
        positive(settings, LLM_TIMEOUT, Duration.ofMinutes(2)),
        positive(settings, LLM_STREAM_BATCH, Duration.ofMillis(50)),
        settings.duration(LLM_ECHO_TOKEN_DELAY, Duration.ofMillis(20)));
    return new TasksConfig(settings.port(PORT, 8082), queue, shell, http, llm, BreakerConfig.from(settings));
  }

  private static Duration positive(Settings settings, String knob, Duration defaultValue) {
    Duration value = settings.duration(knob, defaultValue);
    if (value.isZero()) {
      throw ConfigException.invalid(knob, "0", "a duration greater than zero");
    }
    return value;
  }

  private static String provider(Settings settings, String knob, String defaultValue) {
    String value = settings.string(knob, defaultValue);
    if (value != null && !studio.taskstore.TaskSpec.LLM_PROVIDERS.contains(value)) {
      throw ConfigException.invalid(knob, value, "one of " + studio.taskstore.TaskSpec.LLM_PROVIDERS);
    }
    return value;
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}

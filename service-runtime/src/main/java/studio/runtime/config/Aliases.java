package studio.runtime.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Variables of the Flask/Gunicorn/Socket.IO stack that mean exactly the same as one of ours, so an
 * operator's existing env file keeps working. The canonical name wins when both are set.
 */
public final class Aliases {
  private static final Map<String, List<String>> CANONICAL_TO_ALIASES = new LinkedHashMap<>();

  static {
    CANONICAL_TO_ALIASES.put("STUDIO_ENV", List.of("ENV"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_HOST", List.of("HOST"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_PORT", List.of("PORT"));
    CANONICAL_TO_ALIASES.put("STUDIO_CORS_ALLOWED_ORIGINS",
        List.of("LLMCTL_STUDIO_SOCKETIO_CORS_ALLOWED_ORIGINS", "CORS_ORIGINS"));
    CANONICAL_TO_ALIASES.put("REDIS_URL", List.of("LLMCTL_STUDIO_SOCKETIO_MESSAGE_QUEUE"));
    CANONICAL_TO_ALIASES.put("STUDIO_RT_PING_INTERVAL", List.of("LLMCTL_STUDIO_SOCKETIO_PING_INTERVAL"));
    CANONICAL_TO_ALIASES.put("STUDIO_RT_PING_TIMEOUT", List.of("LLMCTL_STUDIO_SOCKETIO_PING_TIMEOUT"));
    CANONICAL_TO_ALIASES.put("STUDIO_SOCKETIO_PATH", List.of("LLMCTL_STUDIO_SOCKETIO_PATH"));
    CANONICAL_TO_ALIASES.put("DATABASE_PASSWORD", List.of("POSTGRES_PASSWORD"));
    CANONICAL_TO_ALIASES.put("STUDIO_GRACEFUL_TIMEOUT", List.of("GUNICORN_GRACEFUL_TIMEOUT"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_INSTANCES", List.of("GUNICORN_WORKERS"));
    CANONICAL_TO_ALIASES.put("STUDIO_WORKER_POOL_SIZE", List.of("GUNICORN_THREADS"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_MAX_CONNECTIONS", List.of("GUNICORN_WORKER_CONNECTIONS"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_REQUEST_TIMEOUT", List.of("GUNICORN_TIMEOUT"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_KEEPALIVE_TIMEOUT", List.of("GUNICORN_KEEPALIVE"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_MAX_REQUESTS", List.of("GUNICORN_MAX_REQUESTS"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_MAX_REQUESTS_JITTER", List.of("GUNICORN_MAX_REQUESTS_JITTER"));
    CANONICAL_TO_ALIASES.put("STUDIO_TLS_CERT", List.of("GUNICORN_CERTFILE"));
    CANONICAL_TO_ALIASES.put("STUDIO_TLS_KEY", List.of("GUNICORN_KEYFILE"));
    CANONICAL_TO_ALIASES.put("STUDIO_TLS_CLIENT_CA", List.of("GUNICORN_CA_CERTS"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_ENABLED", List.of("LLMCTL_STUDIO_PROXY_FIX_ENABLED"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_FOR", List.of("LLMCTL_STUDIO_PROXY_FIX_X_FOR"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_PROTO", List.of("LLMCTL_STUDIO_PROXY_FIX_X_PROTO"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_HOST", List.of("LLMCTL_STUDIO_PROXY_FIX_X_HOST"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_PORT", List.of("LLMCTL_STUDIO_PROXY_FIX_X_PORT"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_PREFIX", List.of("LLMCTL_STUDIO_PROXY_FIX_X_PREFIX"));
    CANONICAL_TO_ALIASES.put("STUDIO_HF_ENDPOINT", List.of("HF_ENDPOINT"));
    CANONICAL_TO_ALIASES.put("STUDIO_HF_TOKEN", List.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"));
  }

  private Aliases() {
  }

  public static Map<String, List<String>> all() {
    return Map.copyOf(CANONICAL_TO_ALIASES);
  }

  /** Copies each alias's value to its canonical name when the canonical name is unset. */
  static Map<String, Object> resolve(Map<String, Object> values) {
    Map<String, Object> resolved = new LinkedHashMap<>(values);
    CANONICAL_TO_ALIASES.forEach((canonical, aliases) -> {
      if (isBlank(resolved.get(canonical))) {
        aliases.stream().filter(alias -> !isBlank(values.get(alias))).findFirst()
            .ifPresent(alias -> resolved.put(canonical, values.get(alias)));
      }
    });
    return resolved;
  }

  private static boolean isBlank(Object value) {
    return value == null || value.toString().isBlank();
  }
}

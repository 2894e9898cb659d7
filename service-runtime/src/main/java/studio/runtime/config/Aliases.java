package studio.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Variables of the Flask/Gunicorn/Socket.IO stack, so an operator's existing env file keeps working
 * or says why not. Three kinds: an alias means exactly the same as one of our knobs; a translated
 * variable fills one or more knobs from a value written the old way; the rest have no equivalent and
 * produce a warning naming what to use instead. Our own name always wins when both are set.
 */
public final class Aliases {
  private static final Map<String, List<String>> CANONICAL_TO_ALIASES = new LinkedHashMap<>();
  private static final Map<String, Function<String, Map<String, String>>> TRANSLATED = new LinkedHashMap<>();
  private static final Map<String, String> WITHOUT_EFFECT = new LinkedHashMap<>();
  /** Every variable with one of these prefixes came from the old stack: none may be ignored silently. */
  private static final List<String> OLD_PREFIXES = List.of("GUNICORN_", "LLMCTL_STUDIO_");

  static {
    CANONICAL_TO_ALIASES.put("STUDIO_ENV", List.of("ENV"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_HOST", List.of("HOST"));
    CANONICAL_TO_ALIASES.put("STUDIO_HTTP_PORT", List.of("PORT"));
    CANONICAL_TO_ALIASES.put("STUDIO_CORS_ALLOWED_ORIGINS",
        List.of("LLMCTL_STUDIO_SOCKETIO_CORS_ALLOWED_ORIGINS", "CORS_ORIGINS"));
    CANONICAL_TO_ALIASES.put("REDIS_URL", List.of("LLMCTL_STUDIO_SOCKETIO_MESSAGE_QUEUE"));
    CANONICAL_TO_ALIASES.put("STUDIO_RT_PING_INTERVAL", List.of("LLMCTL_STUDIO_SOCKETIO_PING_INTERVAL"));
    CANONICAL_TO_ALIASES.put("STUDIO_RT_PING_TIMEOUT", List.of("LLMCTL_STUDIO_SOCKETIO_PING_TIMEOUT"));
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
    CANONICAL_TO_ALIASES.put("LOG_LEVEL", List.of("GUNICORN_LOG_LEVEL"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_ENABLED", List.of("LLMCTL_STUDIO_PROXY_FIX_ENABLED"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_FOR", List.of("LLMCTL_STUDIO_PROXY_FIX_X_FOR"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_PROTO", List.of("LLMCTL_STUDIO_PROXY_FIX_X_PROTO"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_HOST", List.of("LLMCTL_STUDIO_PROXY_FIX_X_HOST"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_PORT", List.of("LLMCTL_STUDIO_PROXY_FIX_X_PORT"));
    CANONICAL_TO_ALIASES.put("STUDIO_PROXY_FIX_X_PREFIX", List.of("LLMCTL_STUDIO_PROXY_FIX_X_PREFIX"));
    CANONICAL_TO_ALIASES.put("STUDIO_HF_ENDPOINT", List.of("HF_ENDPOINT"));
    CANONICAL_TO_ALIASES.put("STUDIO_HF_TOKEN", List.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"));

    TRANSLATED.put("GUNICORN_BIND", Aliases::bind);
    // Gunicorn: "-" is the console, anything else a file; unset means no access log at all.
    TRANSLATED.put("GUNICORN_ACCESS_LOG", value -> value.equals("-")
        ? Map.of("STUDIO_HTTP_ACCESS_LOG", "combined")
        : Map.of("STUDIO_HTTP_ACCESS_LOG", "combined", "STUDIO_HTTP_ACCESS_LOG_FILE", value));
    TRANSLATED.put("GUNICORN_ERROR_LOG", value -> value.equals("-") ? Map.of() : Map.of("LOG_FILE", value));
    TRANSLATED.put("LLMCTL_STUDIO_SOCKETIO_TRANSPORTS", value -> Map.of("STUDIO_RT_TRANSPORTS",
        List.of(value.split("[,\\s]+")).stream().filter(t -> !t.isBlank())
            .map(t -> t.equalsIgnoreCase("polling") ? "sockjs" : t).distinct().collect(Collectors.joining(","))));

    WITHOUT_EFFECT.put("GUNICORN_WORKER_CLASS", "Vert.x serves with event loops, not worker processes; "
        + "STUDIO_HTTP_INSTANCES sets how many (and replicas scale further)");
    WITHOUT_EFFECT.put("LLMCTL_STUDIO_USE_GUNICORN", "there is one server; nothing to choose");
    WITHOUT_EFFECT.put("LLMCTL_STUDIO_PREFERRED_URL_SCHEME", "URLs take the scheme the browser used: behind a TLS "
        + "proxy set STUDIO_PROXY_FIX_ENABLED=true so X-Forwarded-Proto is believed");
    WITHOUT_EFFECT.put("LLMCTL_STUDIO_SOCKETIO_REDIS_DB", "put the database number in REDIS_URL "
        + "(redis://host:6379/<db>)");
    WITHOUT_EFFECT.put("LLMCTL_STUDIO_SOCKETIO_ASYNC_MODE", "the socket hub always runs on Vert.x event loops");
    WITHOUT_EFFECT.put("LLMCTL_STUDIO_SOCKETIO_PATH", "realtime paths differ from Socket.IO's; STUDIO_RT_PATH "
        + "(default /rt) prefixes /ws, /sockjs, /poll and /stats");
    WITHOUT_EFFECT.put("LLMCTL_STUDIO_SOCKETIO_MONITOR_CLIENTS", "always on: GET /rt/stats and the "
        + "studio_rt_connections metric");
    WITHOUT_EFFECT.put("LLMCTL_STUDIO_SOCKETIO_LOGGER", "set LOG_LEVEL=DEBUG");
    WITHOUT_EFFECT.put("LLMCTL_STUDIO_SOCKETIO_ENGINEIO_LOGGER", "set LOG_LEVEL=DEBUG");
  }

  private Aliases() {
  }

  public static Map<String, List<String>> all() {
    return Map.copyOf(CANONICAL_TO_ALIASES);
  }

  /** The values with old names resolved, and one warning per old variable that has no effect. */
  record Resolved(Map<String, Object> values, List<String> warnings) {
  }

  static Resolved resolve(Map<String, Object> values) {
    Map<String, Object> resolved = new LinkedHashMap<>(values);
    List<String> warnings = new ArrayList<>();
    CANONICAL_TO_ALIASES.forEach((canonical, aliases) -> aliases.stream()
        .filter(alias -> !isBlank(values.get(alias)))
        .forEach(alias -> {
          if (isBlank(resolved.get(canonical))) {
            resolved.put(canonical, values.get(alias));
          } else {
            warnings.add(shadowed(alias, List.of(canonical)));
          }
        }));
    TRANSLATED.forEach((old, translation) -> {
      if (isBlank(values.get(old))) {
        return;
      }
      Map<String, String> knobs = translation.apply(values.get(old).toString().trim());
      List<String> alreadySet = knobs.keySet().stream().filter(knob -> !isBlank(resolved.get(knob))).sorted().toList();
      if (!knobs.isEmpty() && alreadySet.size() == knobs.size()) {
        warnings.add(shadowed(old, alreadySet));
      }
      knobs.forEach((knob, value) -> {
        if (!alreadySet.contains(knob)) {
          resolved.put(knob, value);
        }
      });
    });
    values.keySet().stream().filter(name -> fromOldStack(name) && !isBlank(values.get(name))).sorted().forEach(name -> {
      if (WITHOUT_EFFECT.containsKey(name)) {
        warnings.add(name + " has no effect: " + WITHOUT_EFFECT.get(name));
      } else if (!isAlias(name) && !TRANSLATED.containsKey(name)) {
        warnings.add(name + " has no effect: Studio Runtime has no such knob "
            + "(docs/migration-from-flask-socketio.md lists what replaces each old variable)");
      }
    });
    return new Resolved(resolved, List.copyOf(warnings));
  }

  /**
   * Gunicorn's {@code host:port}, {@code [ipv6]:port} or {@code host} (port 8000, Gunicorn's default).
   * Vert.x listens on TCP only, so Unix sockets and inherited descriptors are refused.
   */
  private static Map<String, String> bind(String value) {
    String expected = "host:port (e.g. 0.0.0.0:8000); Studio Runtime listens on TCP only, so unix: sockets and "
        + "fd:// descriptors have no equivalent: set STUDIO_HTTP_HOST and STUDIO_HTTP_PORT";
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.startsWith("unix:") || lower.startsWith("fd://") || value.contains(",") || value.contains(" ")) {
      throw ConfigException.invalid("GUNICORN_BIND", value, expected);
    }
    String host = value;
    String port = "8000";
    int colon = value.lastIndexOf(':');
    boolean bracketed = value.startsWith("[");
    if (bracketed ? value.indexOf("]:") > 0 : colon > 0 && value.indexOf(':') == colon) {
      host = value.substring(0, colon);
      port = value.substring(colon + 1);
    }
    host = host.replaceAll("^\\[|]$", "");
    if (host.isEmpty() || !port.matches("\\d{1,5}")) {
      throw ConfigException.invalid("GUNICORN_BIND", value, expected);
    }
    return Map.of("STUDIO_HTTP_HOST", host, "STUDIO_HTTP_PORT", port);
  }

  private static String shadowed(String old, List<String> knobs) {
    return old + " has no effect: " + String.join(" and ", knobs) + (knobs.size() == 1 ? " is also set and wins" : " are also set and win");
  }

  private static boolean fromOldStack(String name) {
    return OLD_PREFIXES.stream().anyMatch(name::startsWith);
  }

  private static boolean isAlias(String name) {
    return CANONICAL_TO_ALIASES.values().stream().anyMatch(aliases -> aliases.contains(name));
  }

  private static boolean isBlank(Object value) {
    return value == null || value.toString().isBlank();
  }
}

package studio.taskstore;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.json.JsonFields;

/**
 * What a task does: {@code {"executor": "sleep", "params": {...}, "max_attempts": 3}}. Parsing
 * validates the params of the named executor, so a bad spec is refused when it is submitted (400
 * naming the field), never discovered by a runner later.
 */
public record TaskSpec(ExecutorKind executor, JsonObject params, int maxAttempts) {
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final int MAX_ATTEMPTS_LIMIT = 20;
  public static final int MAX_SPEC_BYTES = 256 * 1024;
  public static final long MAX_TIMEOUT_MS = 24L * 3600 * 1000;
  private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");
  private static final Set<String> LLM_ROLES = Set.of("system", "user", "assistant");
  public static final Set<String> LLM_PROVIDERS = Set.of("echo", "openai");
  /** RFC 9110's token: anything else is no header name, and a CR or LF in a value starts another header. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern HEADER_VALUE_FORBIDDEN = Pattern.compile("[\\r\\n\\x00]");
  /** An environment entry is NAME=value ending in NUL: '=' or NUL in a name would make another variable. */
  private static final Pattern ENV_NAME = Pattern.compile("[^=\\x00]+");
  private static final Pattern ENV_VALUE_FORBIDDEN = Pattern.compile("\\x00");

  public TaskSpec {
    params = params.copy();
  }

  public static TaskSpec parse(JsonObject json) {
    return parse(json, "");
  }

  /** {@code prefix} is the path of the spec in the request (e.g. {@code nodes[2].task}), for error fields. */
  public static TaskSpec parse(JsonObject json, String prefix) {
    if (json == null) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, prefix.isEmpty() ? null : prefix, "a task spec object is required");
    }
    int bytes = json.encode().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_SPEC_BYTES) {
      throw new ContractException(ErrorCode.TOO_LARGE, prefix.isEmpty() ? null : prefix,
          "task spec encodes to " + bytes + " bytes, limit is " + MAX_SPEC_BYTES);
    }
    JsonFields fields = new JsonFields(json, ErrorCode.INVALID_REQUEST, prefix);
    String name = fields.requiredString("executor", 32);
    ExecutorKind executor = ExecutorKind.fromWire(name).orElseThrow(() -> fields.fail("executor",
        "unknown executor \"" + name + "\" (expected one of " + ExecutorKind.allWireNames() + ")"));
    JsonObject params = fields.object("params", false);
    int maxAttempts = (int) fields.integer("max_attempts", DEFAULT_MAX_ATTEMPTS, 1, MAX_ATTEMPTS_LIMIT);
    checkParams(executor, new JsonFields(params, ErrorCode.INVALID_REQUEST, fields.path("params")));
    return new TaskSpec(executor, params, maxAttempts);
  }

  public JsonObject toJson() {
    return new JsonObject().put("executor", executor.wire()).put("params", params.copy()).put("max_attempts", maxAttempts);
  }

  public static TaskSpec fromStored(JsonObject json) {
    return new TaskSpec(ExecutorKind.fromWire(json.getString("executor")).orElseThrow(),
        json.getJsonObject("params", new JsonObject()), json.getInteger("max_attempts", DEFAULT_MAX_ATTEMPTS));
  }

  private static void checkParams(ExecutorKind executor, JsonFields params) {
    switch (executor) {
      case NOOP -> params.object("result", false);
      case SLEEP -> params.integer("duration_ms", 1000, 0, MAX_TIMEOUT_MS);
      case SHELL -> checkShell(params);
      case HTTP -> checkHttp(params);
      case LLM -> checkLlm(params);
    }
  }

  private static void checkShell(JsonFields params) {
    JsonArray command = params.array("command", true);
    if (command.isEmpty() || command.size() > 256) {
      throw params.fail("command", "must hold 1-256 arguments (program first), got " + command.size());
    }
    for (int i = 0; i < command.size(); i++) {
      if (!(command.getValue(i) instanceof String arg) || arg.isEmpty() || arg.length() > 8192) {
        throw params.fail("command[" + i + "]", "must be a non-empty string of at most 8192 characters");
      }
      if (arg.indexOf('\0') >= 0) {
        throw params.fail("command[" + i + "]", "must not contain NUL (no program receives it)");
      }
    }
    params.integer("timeout_ms", 0, 1, MAX_TIMEOUT_MS);
    stringMap(params, "env", ENV_NAME, "must be a variable name (no '=' or NUL)", ENV_VALUE_FORBIDDEN,
        "must not contain NUL");
  }

  private static void checkHttp(JsonFields params) {
    String url = params.requiredString("url", 8192);
    try {
      URI uri = URI.create(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw params.fail("url", "must be an absolute http:// or https:// URL, got \"" + url + "\"");
      }
    } catch (IllegalArgumentException malformed) {
      throw params.fail("url", "is not a valid URL: " + malformed.getMessage());
    }
    String method = params.string("method", "GET", 10);
    if (!HTTP_METHODS.contains(method.toUpperCase(Locale.ROOT))) {
      throw params.fail("method", "must be one of " + HTTP_METHODS + ", got \"" + method + "\"");
    }
    stringMap(params, "headers", HEADER_NAME, "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)",
        HEADER_VALUE_FORBIDDEN, "must not contain CR, LF or NUL (one header each)");
    params.string("body", null, 1024 * 1024);
    params.integer("timeout_ms", 0, 1, MAX_TIMEOUT_MS);
  }

  private static void checkLlm(JsonFields params) {
    String prompt = params.string("prompt", null, 200_000);
    JsonArray messages = params.array("messages", false);
    if (prompt == null && messages.isEmpty()) {
      throw params.fail("messages", "give \"prompt\" or a non-empty \"messages\" array");
    }
    for (int i = 0; i < messages.size(); i++) {
      if (!(messages.getValue(i) instanceof JsonObject message)) {
        throw params.fail("messages[" + i + "]", "must be an object {\"role\", \"content\"}");
      }
      JsonFields fields = new JsonFields(message, ErrorCode.INVALID_REQUEST, params.path("messages[" + i + "]"));
      String role = fields.requiredString("role", 16);
      if (!LLM_ROLES.contains(role)) {
        throw fields.fail("role", "must be one of " + LLM_ROLES + ", got \"" + role + "\"");
      }
      fields.requiredString("content", 200_000);
    }
    String provider = params.string("provider", null, 32);
    if (provider != null && !LLM_PROVIDERS.contains(provider)) {
      throw params.fail("provider", "must be one of " + LLM_PROVIDERS + ", got \"" + provider + "\"");
    }
    params.string("model", null, 200);
  }

  /** Names matching {@code names}, string values none of whose characters match {@code forbidden}. */
  private static void stringMap(JsonFields params, String field, Pattern names, String badName, Pattern forbidden,
                                String badValue) {
    JsonObject map = params.object(field, false);
    for (String key : map.fieldNames()) {
      if (!names.matcher(key).matches()) {
        throw params.fail(field + "." + key, badName);
      }
      if (!(map.getValue(key) instanceof String value)) {
        throw params.fail(field + "." + key, "must be a string");
      }
      if (forbidden.matcher(value).find()) {
        throw params.fail(field + "." + key, badValue);
      }
    }
  }
}

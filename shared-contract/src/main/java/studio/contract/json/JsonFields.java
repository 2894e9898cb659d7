package studio.contract.json;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * Typed reads of a JSON object that fail with one catalogue code, naming the field by its full path
 * ({@code nodes[2].task.params.url}) and what was expected. Drafts, envelopes and request specs all
 * read their JSON through it.
 */
public final class JsonFields {
  /**
   * The largest integer every JSON reader holds exactly (2^53 - 1; a page's JavaScript numbers are
   * doubles): ids, versions, offsets and sizes stop here.
   */
  public static final long MAX_EXACT_INTEGER = (1L << 53) - 1;
  private final JsonObject json;
  private final ErrorCode code;
  private final String prefix;

  public JsonFields(JsonObject json, ErrorCode code) {
    this(json, code, "");
  }

  /** Fields of an object nested at {@code prefix} (empty at the top level); a null object reads as empty. */
  public JsonFields(JsonObject json, ErrorCode code, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.code = code;
    this.prefix = prefix;
  }

  /** The full path of a field of this object. */
  public String path(String field) {
    return prefix.isEmpty() ? field : prefix + "." + field;
  }

  public ContractException fail(String field, String message) {
    return new ContractException(code, path(field), message);
  }

  /**
   * Fails on the first field not in {@code known} (in the order given, which the message lists), so a
   * misspelt optional field is refused rather than dropped in silence.
   */
  public void onlyFields(List<String> known, String what) {
    for (String field : json.fieldNames()) {
      if (!known.contains(field)) {
        throw fail(field, "is not a field of " + what + " (expected " + String.join(", ", known) + ")");
      }
    }
  }

  public String requiredString(String field, int maxLength) {
    String text = string(field, null, maxLength);
    if (text == null) {
      throw fail(field, "is required");
    }
    return text;
  }

  public String optionalString(String field, int maxLength) {
    return string(field, null, maxLength);
  }

  /** A string of 1 to {@code maxLength} characters, or {@code defaultValue} when absent. */
  public String string(String field, String defaultValue, int maxLength) {
    Object value = json.getValue(field);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String text)) {
      throw fail(field, "must be a string, got " + typeOf(value));
    }
    if (text.isEmpty() || text.length() > maxLength) {
      throw fail(field, "must be 1-" + maxLength + " characters, got " + text.length());
    }
    return text;
  }

  public JsonObject optionalObject(String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject object)) {
      throw fail(field, "must be an object, got " + typeOf(value));
    }
    return object;
  }

  public JsonObject requiredObject(String field) {
    JsonObject object = optionalObject(field);
    if (object == null) {
      throw fail(field, "is required");
    }
    return object;
  }

  /** The object, or an empty one when absent and not required. */
  public JsonObject object(String field, boolean required) {
    JsonObject object = required ? requiredObject(field) : optionalObject(field);
    return object == null ? new JsonObject() : object;
  }

  public JsonArray requiredArray(String field) {
    return array(field, true);
  }

  /** The array, or an empty one when absent and not required. */
  public JsonArray array(String field, boolean required) {
    Object value = json.getValue(field);
    if (value == null) {
      if (required) {
        throw fail(field, "is required");
      }
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw fail(field, "must be an array, got " + typeOf(value));
    }
    return array;
  }

  public long requiredLong(String field, long min) {
    Object value = json.getValue(field);
    if (value == null) {
      throw fail(field, "is required");
    }
    Long number = asLong(value);
    if (number == null || number < min) {
      throw fail(field, "must be an integer from " + min + " to " + MAX_EXACT_INTEGER + ", got " + value);
    }
    return number;
  }

  public Long optionalLong(String field, long min) {
    return json.getValue(field) == null ? null : requiredLong(field, min);
  }

  /** An integer in {@code [min, max]}, or {@code defaultValue} when absent. */
  public long integer(String field, long defaultValue, long min, long max) {
    Object value = json.getValue(field);
    if (value == null) {
      return defaultValue;
    }
    Long number = asLong(value);
    if (number == null || number < min || number > max) {
      throw fail(field, "must be an integer " + min + "-" + max + ", got " + value);
    }
    return number;
  }

  /**
   * The value as an exact integer within +-{@link #MAX_EXACT_INTEGER}, else null. {@code 1e3} is 1000;
   * a BigInteger is never narrowed by {@code longValue()}, which keeps its low 64 bits.
   */
  private static Long asLong(Object value) {
    if (!(value instanceof Number number)) {
      return null;
    }
    double exact = number.doubleValue();
    if (exact != Math.rint(exact) || Math.abs(exact) > MAX_EXACT_INTEGER) {
      return null;
    }
    return number.longValue();
  }

  /** The JSON name of a value's type, for messages such as "must be a string, got number". */
  public static String typeOf(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Number) {
      return "number";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof JsonArray) {
      return "array";
    }
    if (value instanceof JsonObject) {
      return "object";
    }
    return value.getClass().getSimpleName();
  }
}

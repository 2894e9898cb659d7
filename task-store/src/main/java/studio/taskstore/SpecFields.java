package studio.taskstore;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/** Typed reads of a request's JSON that fail with {@code invalid_request} naming the full field path. */
final class SpecFields {
  private final JsonObject json;
  private final String prefix;

  SpecFields(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
  }

  String path(String field) {
    return prefix.isEmpty() ? field : prefix + "." + field;
  }

  ContractException fail(String field, String message) {
    return new ContractException(ErrorCode.INVALID_REQUEST, path(field), message);
  }

  String string(String field, String defaultValue, int maxLength) {
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

  String requiredString(String field, int maxLength) {
    String text = string(field, null, maxLength);
    if (text == null) {
      throw fail(field, "is required");
    }
    return text;
  }

  long integer(String field, long defaultValue, long min, long max) {
    Object value = json.getValue(field);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
        || number.longValue() < min || number.longValue() > max) {
      throw fail(field, "must be an integer " + min + "-" + max + ", got " + value);
    }
    return number.longValue();
  }

  JsonObject object(String field, boolean required) {
    Object value = json.getValue(field);
    if (value == null) {
      if (required) {
        throw fail(field, "is required");
      }
      return new JsonObject();
    }
    if (!(value instanceof JsonObject object)) {
      throw fail(field, "must be an object, got " + typeOf(value));
    }
    return object;
  }

  JsonArray array(String field, boolean required) {
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

  static String typeOf(Object value) {
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
    return "null";
  }
}

package studio.contract.envelope;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/** Typed reads of a JSON object that fail with the field's name and what was expected. */
final class JsonFields {
  private final JsonObject json;
  private final ErrorCode code;

  JsonFields(JsonObject json, ErrorCode code) {
    this.json = json;
    this.code = code;
  }

  String requiredString(String field, int maxLength) {
    Object value = json.getValue(field);
    if (value == null) {
      throw fail(field, "is required");
    }
    if (!(value instanceof String text)) {
      throw fail(field, "must be a string, got " + typeOf(value));
    }
    if (text.isEmpty() || text.length() > maxLength) {
      throw fail(field, "must be 1-" + maxLength + " characters, got " + text.length());
    }
    return text;
  }

  String optionalString(String field, int maxLength) {
    return json.getValue(field) == null ? null : requiredString(field, maxLength);
  }

  JsonObject optionalObject(String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject object)) {
      throw fail(field, "must be an object, got " + typeOf(value));
    }
    return object;
  }

  JsonObject requiredObject(String field) {
    JsonObject object = optionalObject(field);
    if (object == null) {
      throw fail(field, "is required");
    }
    return object;
  }

  JsonArray requiredArray(String field) {
    Object value = json.getValue(field);
    if (value == null) {
      throw fail(field, "is required");
    }
    if (!(value instanceof JsonArray array)) {
      throw fail(field, "must be an array, got " + typeOf(value));
    }
    return array;
  }

  long requiredLong(String field, long min) {
    Object value = json.getValue(field);
    if (value == null) {
      throw fail(field, "is required");
    }
    Long number = asLong(value);
    if (number == null || number < min) {
      throw fail(field, "must be an integer >= " + min + ", got " + value);
    }
    return number;
  }

  Long optionalLong(String field, long min) {
    return json.getValue(field) == null ? null : requiredLong(field, min);
  }

  ContractException fail(String field, String message) {
    return new ContractException(code, field, message);
  }

  private static Long asLong(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
      return number.longValue();
    }
    return null;
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
    return value.getClass().getSimpleName();
  }
}

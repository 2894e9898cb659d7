package studio.contract.error;

import io.vertx.core.json.JsonObject;

/** A refusal with a catalogue code and a message a person can act on; never carries a stack trace to clients. */
public class ContractException extends RuntimeException {
  private final ErrorCode code;
  private final String field;

  public ContractException(ErrorCode code, String message) {
    this(code, null, message);
  }

  public ContractException(ErrorCode code, String field, String message) {
    super(field == null ? message : field + ": " + message, null, false, false);
    this.code = code;
    this.field = field;
  }

  public ErrorCode code() {
    return code;
  }

  /** The offending field (dotted path, e.g. {@code room_keys[1]}), or null when the whole input is at fault. */
  public String field() {
    return field;
  }

  /** The one JSON error shape every HTTP answer and bus failure uses. */
  public JsonObject toJson() {
    JsonObject error = new JsonObject().put("code", code.wire()).put("message", getMessage());
    if (field != null) {
      error.put("field", field);
    }
    return new JsonObject().put("error", error);
  }
}

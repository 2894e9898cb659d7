package studio.web.api;

import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * A request the contract refused, in the API's one error shape: 400 naming the parameter or the
 * body's field by its path ({@code params.url}, {@code nodes[0].task.executor}, the form
 * {@link studio.contract.json.JsonFields} uses), 415 for a body that is not JSON, and 404 for a path id
 * that cannot name anything.
 */
final class ContractRefusals {
  /** vertx-openapi names the parameter at fault only in its messages ("... query parameter limit ..."). */
  private static final Pattern PARAMETER = Pattern.compile("\\b(path|query|header|cookie) parameter ([^\\s.]+)");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
  /** The keywords that close an object ({@code additionalProperties: false}, {@code unevaluatedProperties: false}). */
  private static final Pattern UNKNOWN_FIELD = Pattern.compile("/(additional|unevaluated)Properties$");
  private static final int ECHO_LIMIT = 100;

  private ContractRefusals() {
  }

  static ContractException of(RoutingContext ctx, ValidatorException refused) {
    Matcher parameter = PARAMETER.matcher(String.valueOf(refused.getMessage()));
    return parameter.find() ? parameter(ctx, parameter.group(1), parameter.group(2), refused) : body(ctx, refused);
  }

  private static ContractException parameter(RoutingContext ctx, String in, String name, ValidatorException refused) {
    if (in.equals("path")) {
      // An id that is no positive integer names no entity: the same 404 as a well-formed id nobody has.
      return new ContractException(ErrorCode.NOT_FOUND, name, "no such " + name + ": " + echo(ctx.pathParam(name)));
    }
    String raw = in.equals("query") ? ctx.queryParams().get(name) : null;
    return new ContractException(ErrorCode.INVALID_REQUEST, name,
        reason(refused) + (raw == null ? "" : ", got \"" + echo(raw) + "\""));
  }

  private static ContractException body(RoutingContext ctx, ValidatorException refused) {
    if (refused instanceof SchemaValidationException invalid) {
      OutputUnit leaf = leaf(invalid.getOutputUnit());
      String field = field(leaf.getInstanceLocation());
      if (leaf.getKeywordLocation() != null && leaf.getKeywordLocation().endsWith("/required")) {
        Matcher missing = QUOTED.matcher(String.valueOf(leaf.getError()));
        if (missing.find()) {
          return new ContractException(ErrorCode.INVALID_REQUEST, join(field, missing.group(1)), "is required");
        }
      }
      if (UNKNOWN_FIELD.matcher(String.valueOf(leaf.getKeywordLocation())).find()) {
        // The schemas close every request object: a typo is refused, never dropped for a default.
        return new ContractException(ErrorCode.INVALID_REQUEST, field, "is not a field of this request");
      }
      String sent = sentValue(ctx, leaf.getInstanceLocation());
      return new ContractException(ErrorCode.INVALID_REQUEST, field,
          leaf.getError() + (sent == null ? "" : ", got " + sent));
    }
    if (refused.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
      String type = ctx.request().getHeader("Content-Type");
      return new ContractException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "send the body as application/json (got " + (type == null ? "no Content-Type" : echo(type)) + ")");
    }
    if (refused.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER) {
      return new ContractException(ErrorCode.INVALID_REQUEST, "the request body is empty; expected a JSON object");
    }
    if (refused.type() == ValidatorErrorType.ILLEGAL_VALUE) {
      return new ContractException(ErrorCode.INVALID_REQUEST, "the body is not valid JSON");
    }
    return new ContractException(ErrorCode.INVALID_REQUEST, refused.getMessage());
  }

  /**
   * The error at the deepest field, where the cause is: the validator lists the enclosing schemas'
   * failures ("A subschema had errors") too. At equal depth a field's own failure wins over its echo as
   * an unknown field (vertx-json-schema counts only the fields that passed as known, for
   * additionalProperties as for unevaluatedProperties); otherwise the last one listed.
   */
  private static OutputUnit leaf(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors();
    if (errors == null || errors.isEmpty()) {
      return result;
    }
    Comparator<OutputUnit> cause = Comparator.comparingInt((OutputUnit error) -> depth(error.getInstanceLocation()))
        .thenComparing(error -> !UNKNOWN_FIELD.matcher(String.valueOf(error.getKeywordLocation())).find());
    OutputUnit deepest = errors.get(0);
    for (OutputUnit error : errors) {
      if (cause.compare(error, deepest) >= 0) {
        deepest = error;
      }
    }
    return deepest;
  }

  private static int depth(String instanceLocation) {
    return instanceLocation == null ? 0 : (int) instanceLocation.chars().filter(c -> c == '/').count();
  }
  /**
   * The sent value a refusal is about, when it is a scalar worth echoing ("does not match any of
   * [...]" alone does not say what was sent): strings quoted and cut short, numbers and booleans as
   * they are, anything else (objects, arrays, a body that is no object) not echoed.
   */
  private static String sentValue(RoutingContext ctx, String instanceLocation) {
    String pointer = instanceLocation == null ? "" : instanceLocation.replaceFirst("^#", "");
    Object value;
    try {
      value = JsonPointer.from(pointer).queryJson(ctx.body().asJsonObject());
    } catch (RuntimeException unreadable) {
      return null;
    }
    if (value instanceof String text) {
      return "\"" + echo(text) + "\"";
    }
    return value instanceof Number || value instanceof Boolean ? String.valueOf(value) : null;
  }

  private static String reason(ValidatorException refused) {
    return refused instanceof SchemaValidationException invalid
        ? String.valueOf(leaf(invalid.getOutputUnit()).getError())
        : refused.getMessage();
  }

  /** {@code #/nodes/0/task/executor} -> {@code nodes[0].task.executor}; null for the whole body. */
  static String field(String instanceLocation) {
    String pointer = instanceLocation == null ? "" : instanceLocation.replaceFirst("^#", "");
    StringBuilder field = new StringBuilder();
    for (String token : pointer.split("/")) {
      if (token.isEmpty()) {
        continue;
      }
      String name = token.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) {
        field.append('[').append(name).append(']');
      } else {
        field.append(field.length() == 0 ? "" : ".").append(name);
      }
    }
    return field.length() == 0 ? null : field.toString();
  }

  private static String join(String parent, String name) {
    return parent == null ? name : parent + "." + name;
  }

  private static String echo(String raw) {
    return raw == null ? "" : raw.length() <= ECHO_LIMIT ? raw : raw.substring(0, ECHO_LIMIT) + "...";
  }
}

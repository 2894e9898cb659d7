package studio.contract.error;

import java.util.Arrays;
import java.util.Optional;

/**
 * The one catalogue of error codes every service, frame and HTTP answer uses.
 *
 * <p>{@code wire} is what clients see in {@code "code"}; {@code failureCode} is the stable integer
 * carried by event-bus failures ({@code message.fail(code, reason)}); {@code retryable} tells a
 * caller whether the same request may succeed later.
 */
public enum ErrorCode {
  BAD_FRAME("bad_frame", 1001, 400, false),
  UNKNOWN_OP("unknown_op", 1002, 400, false),
  INVALID_ROOM("invalid_room", 1003, 400, false),
  FORBIDDEN_ROOM("forbidden_room", 1004, 403, false),
  UNAUTHENTICATED("unauthenticated", 1005, 401, false),
  RATE_LIMITED("rate_limited", 1006, 429, true),
  TOO_LARGE("too_large", 1007, 413, false),
  INVALID_DRAFT("invalid_draft", 1008, 400, false),
  INVALID_REQUEST("invalid_request", 1009, 400, false),
  FORBIDDEN("forbidden", 1010, 403, false),
  NOT_FOUND("not_found", 1011, 404, false),
  CONFLICT("conflict", 1012, 409, false),
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 1013, 415, false),
  UNAVAILABLE("unavailable", 1014, 503, true),
  TIMEOUT("timeout", 1015, 504, true),
  INTERNAL("internal", 1016, 500, true),
  /** A per-connection or per-replica cap (rooms per connection, concurrent long-polls) would be exceeded. */
  LIMIT_EXCEEDED("limit_exceeded", 1017, 429, true),
  /**
   * A user-supplied URL (an http task, a download, a redirect hop) resolves to an address the egress
   * policy refuses: loopback, private, link-local/metadata and the like. Allowed by the operator knobs
   * {@code STUDIO_EGRESS_ALLOWED_NETWORKS} and {@code STUDIO_EGRESS_ALLOWED_HOSTS}, never by retrying.
   */
  EGRESS_DENIED("egress_denied", 1018, 400, false);

  private final String wire;
  private final int failureCode;
  private final int httpStatus;
  private final boolean retryable;

  ErrorCode(String wire, int failureCode, int httpStatus, boolean retryable) {
    this.wire = wire;
    this.failureCode = failureCode;
    this.httpStatus = httpStatus;
    this.retryable = retryable;
  }

  public String wire() {
    return wire;
  }

  public int failureCode() {
    return failureCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public boolean retryable() {
    return retryable;
  }

  public static Optional<ErrorCode> fromFailureCode(int failureCode) {
    return Arrays.stream(values()).filter(c -> c.failureCode == failureCode).findFirst();
  }

  public static Optional<ErrorCode> fromWire(String wire) {
    return Arrays.stream(values()).filter(c -> c.wire.equals(wire)).findFirst();
  }
}

package studio.contract.error;

/**
 * WebSocket close codes the hub uses. 4000-4499: reconnect (with backoff); 4500-4999: do not
 * reconnect with the same credentials (get a new token first, or fix the client).
 */
public enum CloseCode {
  DRAINING(4000, "draining"),
  SLOW_CONSUMER(4001, "slow consumer"),
  PING_TIMEOUT(4002, "ping timeout"),
  RATE_LIMITED(4003, "rate limited"),
  UNAUTHENTICATED(4500, "unauthenticated"),
  TOKEN_EXPIRED(4501, "token expired"),
  TOO_MANY_BAD_FRAMES(4502, "too many bad frames");

  private final int code;
  private final String reason;

  CloseCode(int code, String reason) {
    this.code = code;
    this.reason = reason;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }
}

package studio.runtime.egress;

import java.net.URI;
import studio.contract.error.ErrorCode;

/**
 * The egress policy refused a URL: its message starts with the wire code ({@code egress_denied: })
 * and names the address and the knob that would allow it. Retrying does not help.
 */
public final class EgressDenied extends RuntimeException {
  public EgressDenied(URI uri, String reason) {
    super(ErrorCode.EGRESS_DENIED.wire() + ": " + origin(uri) + " " + reason, null, false, false);
  }

  public ErrorCode code() {
    return ErrorCode.EGRESS_DENIED;
  }

  /** Scheme, host and port only: the path and query are the user's business and may hold secrets. */
  private static String origin(URI uri) {
    return (uri.getScheme() == null ? "" : uri.getScheme() + "://") + (uri.getHost() == null ? uri.getRawAuthority() : uri.getHost())
        + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
  }
}

package studio.web.auth;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.http.OriginPolicy;
import studio.runtime.service.ErrorResponses;

/**
 * Refuses (403) a state-changing request another site could have forged. With cookie sessions a
 * browser attaches the user's credentials to a foreign page's request; two rules keep that page out:
 * <ul>
 *   <li>its Origin must be one of {@code STUDIO_CORS_ALLOWED_ORIGINS}: the configured public origins,
 *       never whatever the request's {@code Host} header claims;</li>
 *   <li>it must be something an HTML form cannot send: a Content-Type other than the three form types
 *       (JSON, as every endpoint takes), or the {@code X-Requested-With} header. A foreign page can
 *       only send those through CORS, whose preflight the allowlist answers; a form posts without one,
 *       with or without an Origin (and with {@code *} in development any Origin passes the first rule).</li>
 * </ul>
 */
public record CrossOriginWrites(OriginPolicy origins) implements Handler<RoutingContext> {
  public static final String REQUESTED_WITH = "X-Requested-With";
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
  /** What {@code <form enctype>} can send without a preflight (the CORS-safelisted request content types). */
  private static final Set<String> FORM_TYPES = Set.of("application/x-www-form-urlencoded", "multipart/form-data",
      "text/plain");

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (SAFE.contains(request.method())) {
      ctx.next();
      return;
    }
    String origin = request.getHeader("Origin");
    if (origin != null && !origins.allows(origin)) {
      refuse(ctx, "cross-origin " + request.method() + " from " + origin
          + " refused: not one of STUDIO_CORS_ALLOWED_ORIGINS");
      return;
    }
    String type = mediaType(request.getHeader("Content-Type"));
    if (request.getHeader(REQUESTED_WITH) == null && (type == null || FORM_TYPES.contains(type))) {
      refuse(ctx, request.method() + " " + request.path() + " refused: "
          + (type == null ? "no Content-Type" : "Content-Type " + type + " is one an HTML form can send from any site")
          + "; send Content-Type: application/json, or the header " + REQUESTED_WITH + " on a request without a body");
      return;
    }
    ctx.next();
  }

  private static void refuse(RoutingContext ctx, String message) {
    ErrorResponses.send(ctx, new ContractException(ErrorCode.FORBIDDEN, message));
  }

  /** {@code "Text/Plain; charset=UTF-8"} -> {@code text/plain}; null when absent or blank. */
  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    return type.isEmpty() ? null : type;
  }
}

package studio.web.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.runtime.auth.TokenKeys;
import studio.runtime.service.ErrorResponses;
import studio.web.proxy.ExternalRequest;

/**
 * Establishes the caller's {@link Identity} for pages and APIs according to {@code STUDIO_AUTH_MODE},
 * or answers 401 (429 after too many failures from one client).
 */
public final class Authentication implements Handler<RoutingContext> {
  public static final String SESSION_COOKIE = "studio_session";
  private static final String SESSION_AUDIENCE = "studio-session";
  private final AuthConfig config;
  /** Signs and checks session cookies with their own key ({@link studio.runtime.auth.TokenKeys#sessionCookies}). */
  private final JWTAuth signer;
  private final FailureLimiter failures;

  public Authentication(AuthConfig config, JWTAuth signer) {
    this.config = config;
    this.signer = signer;
    this.failures = new FailureLimiter(config.failuresPerMinute());
  }

  @Override
  public void handle(RoutingContext ctx) {
    switch (config.mode()) {
      case NONE -> proceed(ctx, Identity.ANONYMOUS);
      case PROXY -> fromProxy(ctx);
      case BASIC -> fromSessionOrPassword(ctx);
    }
  }

  /** The identity header speaks for the user only when a trusted proxy set it; from anyone else it is a claim. */
  private void fromProxy(RoutingContext ctx) {
    ExternalRequest external = ExternalRequest.of(ctx);
    if (!external.viaTrustedProxy()) {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.UNAUTHENTICATED, "sign in through the reverse proxy: "
          + "this request comes from " + external.clientAddress() + ", outside STUDIO_PROXY_TRUSTED_NETWORKS, so its "
          + config.proxyHeader() + " header is ignored"));
      return;
    }
    String user = ctx.request().getHeader(config.proxyHeader());
    if (user == null || user.isBlank()) {
      ErrorResponses.send(ctx, new ContractException(ErrorCode.UNAUTHENTICATED,
          "no " + config.proxyHeader() + " header: sign in through the reverse proxy"));
      return;
    }
    proceed(ctx, new Identity(user.trim()));
  }

  private void fromSessionOrPassword(RoutingContext ctx) {
    Cookie session = ctx.request().getCookie(SESSION_COOKIE);
    Future<Identity> fromCookie = session == null ? Future.failedFuture("no session")
        : signer.authenticate(new TokenCredentials(session.getValue()))
            .map(TokenKeys::claims)
            .compose(claims -> SESSION_AUDIENCE.equals(claims.getString("aud"))
                ? Future.succeededFuture(new Identity(claims.getString("sub")))
                : Future.failedFuture("not a session token"));
    fromCookie
        .onSuccess(identity -> proceed(ctx, identity))
        .onFailure(noSession -> fromPassword(ctx));
  }

  private void fromPassword(RoutingContext ctx) {
    String client = ExternalRequest.of(ctx).clientAddress();
    if (failures.blocked(client)) {
      ctx.response().putHeader("Retry-After", String.valueOf(failures.secondsUntilReset()));
      ErrorResponses.send(ctx, new ContractException(ErrorCode.RATE_LIMITED,
          "too many failed sign-ins from " + client + "; retry in a minute"));
      return;
    }
    String[] credentials = basicCredentials(ctx.request().getHeader("Authorization"));
    if (credentials != null && constantTimeEquals(credentials[0], config.adminUser())
        & constantTimeEquals(credentials[1], config.adminPassword())) {
      Identity identity = new Identity(credentials[0]);
      ctx.response().addCookie(sessionCookie(ctx, identity));
      proceed(ctx, identity);
      return;
    }
    if (credentials != null) {
      failures.failed(client);
    }
    ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"Studio\", charset=\"UTF-8\"");
    ErrorResponses.send(ctx, new ContractException(ErrorCode.UNAUTHENTICATED,
        credentials == null ? "sign in with the admin user (HTTP Basic)" : "wrong user or password"));
  }

  /** HttpOnly, SameSite=Lax, scoped to our external prefix, and Secure whenever the browser is on https. */
  private Cookie sessionCookie(RoutingContext ctx, Identity identity) {
    ExternalRequest external = ExternalRequest.of(ctx);
    String token = signer.generateToken(new JsonObject().put("sub", identity.subject()).put("aud", SESSION_AUDIENCE),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds((int) config.sessionTtl().toSeconds()));
    return Cookie.cookie(SESSION_COOKIE, token)
        .setPath(external.prefix().isEmpty() ? "/" : external.prefix() + "/")
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX)
        .setSecure(external.secure())
        .setMaxAge(config.sessionTtl().toSeconds());
  }

  private static void proceed(RoutingContext ctx, Identity identity) {
    ctx.put(Identity.CONTEXT_KEY, identity);
    ctx.next();
  }

  private static String[] basicCredentials(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
  }

  /** Compares digests, so the time taken says nothing about how much of the secret matched. */
  private static boolean constantTimeEquals(String given, String expected) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] a = sha.digest(given.getBytes(StandardCharsets.UTF_8));
      byte[] b = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
      return MessageDigest.isEqual(a, b);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}

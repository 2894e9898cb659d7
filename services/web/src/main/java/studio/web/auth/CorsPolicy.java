package studio.web.auth;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;
import studio.runtime.http.OriginPolicy;
import studio.web.api.IdempotencyHandler;

/** CORS for the API from {@code STUDIO_CORS_ALLOWED_ORIGINS}, the same allowlist the hub uses. */
public final class CorsPolicy {
  private CorsPolicy() {
  }

  /** Credentials (cookies) only ever go to named origins; with {@code *} a page may call but not as the user. */
  public static CorsHandler handler(OriginPolicy origins) {
    CorsHandler cors = CorsHandler.create()
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE))
        .allowedHeaders(Set.of("Content-Type", "Authorization", IdempotencyHandler.HEADER,
            CrossOriginWrites.REQUESTED_WITH))
        .exposedHeaders(Set.of(IdempotencyHandler.REPLAYED_HEADER, "Retry-After", "Location"))
        .maxAgeSeconds(600);
    if (origins.allowsAny()) {
      return cors.addOrigin("*");
    }
    return cors.addOrigins(origins.allowed()).allowCredentials(true);
  }
}

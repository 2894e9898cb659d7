package studio.hub.auth;

import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open a realtime connection ({@code STUDIO_CORS_ALLOWED_ORIGINS}).
 * A request without an Origin header is not from a browser page (workers, tools) and is allowed;
 * browsers always send one.
 */
public record OriginPolicy(List<String> allowed) {
  public OriginPolicy {
    allowed = allowed.stream().map(origin -> origin.toLowerCase(Locale.ROOT).replaceAll("/+$", "")).toList();
  }

  public boolean allowsAny() {
    return allowed.contains("*");
  }

  public boolean allows(String origin) {
    return origin == null || allowsAny() || allowed.contains(origin.toLowerCase(Locale.ROOT));
  }
}

package studio.web;

import studio.runtime.config.Settings;

/** The web gateway's own knobs (shared ones live in CommonConfig). */
public record WebConfig(int port, long bodyLimitBytes) {
  public static final String PORT = "STUDIO_HTTP_PORT";
  public static final String BODY_LIMIT = "STUDIO_HTTP_BODY_LIMIT";

  public static WebConfig from(Settings settings) {
    return new WebConfig(settings.port(PORT, 8080), settings.bytes(BODY_LIMIT, 1024 * 1024));
  }

  public static WebConfig defaults(int port) {
    return from(Settings.of(java.util.Map.of(PORT, String.valueOf(port))));
  }
}

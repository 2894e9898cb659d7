package studio.web;

import studio.runtime.config.Settings;

/** The web gateway's own knobs (shared ones live in CommonConfig). */
public record WebConfig(int port) {
  public static final String PORT = "STUDIO_HTTP_PORT";

  public static WebConfig from(Settings settings) {
    return new WebConfig(settings.port(PORT, 8080));
  }
}

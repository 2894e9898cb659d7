package studio.hub;

import studio.runtime.config.Settings;

/** The socket hub's own knobs. */
public record HubConfig(int port) {
  public static final String PORT = "STUDIO_HUB_PORT";

  public static HubConfig from(Settings settings) {
    return new HubConfig(settings.port(PORT, 8081));
  }
}

package studio.runtime.http;

import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

/**
 * Where the socket hub serves browsers: its port and the realtime path. The hub binds it; web needs
 * it to hand pages the realtime URL, so it is read once here for both.
 */
public record RealtimeAddress(int hubPort, String path) {
  public static final String HUB_PORT = "STUDIO_HUB_PORT";
  public static final String RT_PATH = "STUDIO_RT_PATH";

  public static RealtimeAddress from(Settings settings) {
    String path = settings.string(RT_PATH, "/rt");
    if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
      throw new ConfigException("invalid config " + RT_PATH + "=\"" + path
          + "\": expected a path like /rt (leading '/', no trailing '/')");
    }
    return new RealtimeAddress(settings.port(HUB_PORT, 8081), path);
  }
}

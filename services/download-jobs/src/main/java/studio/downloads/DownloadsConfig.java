package studio.downloads;

import studio.runtime.config.Settings;

/** The download service's own knobs. */
public record DownloadsConfig(int port) {
  public static final String PORT = "STUDIO_DOWNLOADS_PORT";

  public static DownloadsConfig from(Settings settings) {
    return new DownloadsConfig(settings.port(PORT, 8083));
  }
}

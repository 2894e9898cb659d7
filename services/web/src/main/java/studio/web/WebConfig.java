package studio.web;

import java.util.Map;
import java.util.Optional;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.runtime.http.RealtimeAddress;
import studio.web.auth.AuthConfig;
import studio.web.auth.RealtimeUrls;
import studio.web.proxy.ProxyTrust;
import studio.web.serving.ServingConfig;

/** The web gateway's own knobs (shared ones live in CommonConfig). */
public record WebConfig(int port, long bodyLimitBytes, ServingConfig serving, ProxyTrust proxy, AuthConfig auth,
                        RealtimeUrls realtime) {
  public static final String PORT = "STUDIO_HTTP_PORT";
  public static final String BODY_LIMIT = "STUDIO_HTTP_BODY_LIMIT";

  public static WebConfig from(Settings settings) {
    ProxyTrust proxy = ProxyTrust.from(settings);
    Optional<String> publicUrl = settings.optional(RealtimeUrls.PUBLIC_URL);
    publicUrl.filter(url -> !url.matches("(?i)(https?|wss?)://[^/\\s]+(/\\S*)?")).ifPresent(url -> {
      throw ConfigException.invalid(RealtimeUrls.PUBLIC_URL, url, "an absolute URL such as https://rt.example.com/rt");
    });
    return new WebConfig(settings.port(PORT, 8080), settings.bytes(BODY_LIMIT, 1024 * 1024),
        ServingConfig.from(settings), proxy, AuthConfig.from(settings, proxy.enabled()),
        new RealtimeUrls(publicUrl.map(url -> url.replaceFirst("(?i)^ws", "http")), RealtimeAddress.from(settings),
            proxy.enabled()));
  }

  public static WebConfig defaults(int port) {
    return from(Settings.of(Map.of(PORT, String.valueOf(port))));
  }
}

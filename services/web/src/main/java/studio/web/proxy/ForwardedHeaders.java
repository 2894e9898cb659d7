package studio.web.proxy;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Derives the {@link ExternalRequest} from the forwarded headers the configured proxy hops are
 * trusted for, ignoring anything a client could have added in front of them. A request from a peer
 * outside the trusted networks is taken as it arrived, and its forwarded headers are removed so that
 * nothing downstream can read them by mistake.
 */
public final class ForwardedHeaders implements Handler<RoutingContext> {
  private static final List<String> FORWARDED_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto",
      "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix");
  private static final Pattern SAFE_PREFIX = Pattern.compile("(/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*");
  private static final Pattern SAFE_AUTHORITY = Pattern.compile("[A-Za-z0-9.-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+](:\\d{1,5})?");
  private final ProxyTrust trust;

  public ForwardedHeaders(ProxyTrust trust) {
    this.trust = trust;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (trust.trusts(clientAddress(request))) {
      ctx.put(ExternalRequest.CONTEXT_KEY, forwarded(request));
    } else {
      FORWARDED_HEADERS.forEach(request.headers()::remove);
      ctx.put(ExternalRequest.CONTEXT_KEY, direct(ctx));
    }
    ctx.next();
  }

  static ExternalRequest direct(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    return new ExternalRequest(request.isSSL() ? "https" : "http", authority(request), "", clientAddress(request),
        false);
  }

  private ExternalRequest forwarded(HttpServerRequest request) {
    String scheme = request.isSSL() ? "https" : "http";
    String authority = authority(request);
    String client = clientAddress(request);
    String prefix = "";
    List<ForwardedElement> elements = ForwardedElement.parse(request.headers().getAll("Forwarded"));
    ForwardedElement trusted = trust.forwardedHops() > 0 ? pick(elements, trust.forwardedHops()) : null;
    if (trusted != null) {
      client = trusted.forValue() != null ? trusted.forValue() : client;
      scheme = validScheme(trusted.proto()) != null ? validScheme(trusted.proto()) : scheme;
      authority = validAuthority(trusted.host()) != null ? validAuthority(trusted.host()) : authority;
    } else {
      client = orElse(pick(values(request, "X-Forwarded-For"), trust.forHops()), client);
      scheme = orElse(validScheme(pick(values(request, "X-Forwarded-Proto"), trust.protoHops())), scheme);
      authority = orElse(validAuthority(pick(values(request, "X-Forwarded-Host"), trust.hostHops())), authority);
    }
    String port = pick(values(request, "X-Forwarded-Port"), trust.portHops());
    if (port != null && port.matches("\\d{1,5}")) {
      authority = withPort(authority, port, scheme);
    }
    String forwardedPrefix = pick(values(request, "X-Forwarded-Prefix"), trust.prefixHops());
    if (forwardedPrefix != null) {
      String trimmed = forwardedPrefix.replaceAll("/+$", "");
      prefix = SAFE_PREFIX.matcher(trimmed).matches() ? trimmed : "";
    }
    return new ExternalRequest(scheme, authority, prefix, client, true);
  }

  /** Comma-separated values of every occurrence of the header, in order (left = furthest from us). */
  private static List<String> values(HttpServerRequest request, String header) {
    List<String> values = new ArrayList<>();
    for (String line : request.headers().getAll(header)) {
      for (String value : line.split(",")) {
        if (!value.isBlank()) {
          values.add(value.trim());
        }
      }
    }
    return values;
  }

  /** The value added by the outermost of {@code hops} trusted proxies; null when too few values or 0 hops. */
  private static <T> T pick(List<T> values, int hops) {
    if (hops <= 0 || values.size() < hops) {
      return null;
    }
    return values.get(values.size() - hops);
  }

  private static String orElse(String value, String fallback) {
    return value != null ? value : fallback;
  }

  private static String validScheme(String scheme) {
    if (scheme == null) {
      return null;
    }
    String lower = scheme.toLowerCase(Locale.ROOT);
    return lower.equals("http") || lower.equals("https") ? lower : null;
  }

  private static String validAuthority(String authority) {
    return authority != null && SAFE_AUTHORITY.matcher(authority).matches() ? authority.toLowerCase(Locale.ROOT) : null;
  }

  private static String withPort(String authority, String port, String scheme) {
    String host = new ExternalRequest(scheme, authority, "", "", false).hostname();
    boolean defaultPort = (scheme.equals("https") && port.equals("443")) || (scheme.equals("http") && port.equals("80"));
    return defaultPort ? host : host + ":" + port;
  }

  private static String authority(HttpServerRequest request) {
    String host = request.authority() != null ? request.authority().toString() : null;
    if (host == null || !SAFE_AUTHORITY.matcher(host).matches()) {
      SocketAddress local = request.localAddress();
      return local == null ? "localhost" : local.hostAddress() + ":" + local.port();
    }
    return host.toLowerCase(Locale.ROOT);
  }

  private static String clientAddress(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }
}

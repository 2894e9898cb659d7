package studio.runtime.egress;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Opens requests to user-supplied URLs through the egress policy: the host is resolved once (an IP
 * literal is read, not looked up), the first address the policy allows is chosen, and the connection
 * goes to exactly that address while the Host header, TLS SNI and certificate check use the name. A
 * second lookup never happens, so DNS that answers differently later (rebinding) has no window.
 * Redirects are not followed here: each hop is a new {@link #request} of its own.
 */
public final class EgressClient {
  private final Vertx vertx;
  private final HttpClient client;
  private final EgressPolicy policy;
  private final EgressNetwork network;

  public EgressClient(Vertx vertx, HttpClient client, EgressPolicy policy, EgressNetwork network) {
    this.vertx = vertx;
    this.client = client;
    this.policy = policy;
    this.network = network;
  }

  /**
   * A request for {@code uri} with {@code options}' method, headers and timeouts; fails with
   * {@link EgressDenied} when the policy refuses it, with the resolver's failure when the name is unknown.
   */
  public Future<HttpClientRequest> request(URI uri, RequestOptions options) {
    return admit(uri).compose(address -> network.dialer().dial(client, target(uri, options, address)));
  }

  /** The one address {@code uri} will be fetched from, or {@link EgressDenied}. */
  public Future<InetAddress> admit(URI uri) {
    Optional<String> unusable = policy.refusal(uri);
    if (unusable.isPresent()) {
      return Future.failedFuture(new EgressDenied(uri, unusable.get()));
    }
    Optional<InetAddress> literal;
    try {
      literal = IpLiteral.parse(uri.getHost());
    } catch (IllegalArgumentException malformed) {
      return Future.failedFuture(new EgressDenied(uri, "is refused: " + malformed.getMessage()));
    }
    Future<List<InetAddress>> addresses = literal.map(address -> Future.succeededFuture(List.of(address)))
        .orElseGet(() -> network.resolver().resolve(vertx, uri.getHost()));
    return addresses.compose(found -> choose(uri, found));
  }

  private Future<InetAddress> choose(URI uri, List<InetAddress> found) {
    if (found.isEmpty()) {
      return Future.failedFuture(new UnknownHostException(uri.getHost() + ": no address"));
    }
    String firstRefusal = null;
    for (InetAddress candidate : found) {
      InetAddress address = SpecialAddresses.normalise(candidate);
      Optional<String> refusal = policy.refusal(uri, address);
      if (refusal.isEmpty()) {
        return Future.succeededFuture(address);
      }
      firstRefusal = firstRefusal == null ? refusal.get() : firstRefusal;
    }
    return Future.failedFuture(new EgressDenied(uri, firstRefusal));
  }

  private static RequestOptions target(URI uri, RequestOptions options, InetAddress address) {
    int port = EgressPolicy.port(uri);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return new RequestOptions(options)
        .setHost(uri.getHost())
        .setPort(port)
        .setSsl("https".equalsIgnoreCase(uri.getScheme()))
        .setFollowRedirects(false)
        .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
        .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)));
  }
}

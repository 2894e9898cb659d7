package studio.runtime.egress;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;

/**
 * Opens a request whose options name the checked address as server ({@link RequestOptions#getServer()})
 * and the URL's host as host (Host header, TLS SNI and certificate check). Tests record instead.
 */
@FunctionalInterface
public interface EgressDialer {
  EgressDialer DIRECT = HttpClient::request;

  Future<HttpClientRequest> dial(HttpClient client, RequestOptions options);
}

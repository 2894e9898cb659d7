package studio.testsupport;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One web client per Vert.x, held strongly for the whole test run: Vert.x 5 closes a client once
 * it is garbage collected, which would cut a request that is still in flight.
 *
 * <p>Tests read HTTP answers through a web client, which reads the body as part of the request.
 * A bare {@code HttpClient} chain begun on the test thread runs its callbacks on a context of its
 * own, so {@code response.body()} can come after the response ended and never complete
 * (eclipse-vertx/vert.x#5904): one request in a few hundred hung here.
 */
public final class HttpClients {
  private static final Map<Vertx, WebClient> CLIENTS = new ConcurrentHashMap<>();

  private HttpClients() {
  }

  public static WebClient of(Vertx vertx) {
    return CLIENTS.computeIfAbsent(vertx, WebClient::create);
  }
}

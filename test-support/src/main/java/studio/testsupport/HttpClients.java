package studio.testsupport;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One web client per Vert.x, held strongly for the whole test run: Vert.x 5 closes a client once
 * it is garbage collected, which would cut a request that is still in flight.
 */
public final class HttpClients {
  private static final Map<Vertx, WebClient> CLIENTS = new ConcurrentHashMap<>();

  private HttpClients() {
  }

  public static WebClient of(Vertx vertx) {
    return CLIENTS.computeIfAbsent(vertx, WebClient::create);
  }
}

package studio.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a real server (PostgreSQL, Redis) that a test can cut and
 * restore: while cut, open connections are closed and new ones refused, as when the server goes
 * down; restored, it accepts on the same port again, as when the server comes back.
 */
public final class TcpProxy {
  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private int port;

  private TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
  }

  /** Starts relaying from a free loopback port to {@code targetHost:targetPort}. */
  public static Future<TcpProxy> start(Vertx vertx, String targetHost, int targetPort) {
    TcpProxy proxy = new TcpProxy(vertx, targetHost, targetPort);
    return proxy.listen(0).map(proxy);
  }

  public int port() {
    return port;
  }

  /** Closes every relayed connection and stops accepting new ones. */
  public Future<Void> cut() {
    NetServer listening = server;
    server = null;
    Set.copyOf(open).forEach(NetSocket::close);
    open.clear();
    return listening == null ? Future.succeededFuture() : listening.close();
  }

  /** Accepts again, on the same port. */
  public Future<Void> restore() {
    return listen(port).mapEmpty();
  }

  private Future<NetServer> listen(int onPort) {
    NetServer created = vertx.createNetServer().connectHandler(this::relay);
    return created.listen(onPort, "127.0.0.1").onSuccess(listening -> {
      server = listening;
      port = listening.actualPort();
    });
  }

  private void relay(NetSocket inbound) {
    inbound.pause();
    client.connect(targetPort, targetHost).onSuccess(outbound -> {
      open.add(inbound);
      open.add(outbound);
      inbound.handler(outbound::write);
      outbound.handler(inbound::write);
      inbound.closeHandler(closed -> outbound.close());
      outbound.closeHandler(closed -> inbound.close());
      inbound.resume();
    }).onFailure(failure -> inbound.close());
  }
}

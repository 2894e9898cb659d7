package studio.runtime.egress;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.List;

/** Looks a host name up once; the egress policy decides on, and dials, what it answers. */
@FunctionalInterface
public interface EgressResolver {
  /** The JDK resolver (hosts file, then DNS) on a worker thread, never on the event loop. */
  EgressResolver SYSTEM = (vertx, host) -> vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false);

  Future<List<InetAddress>> resolve(Vertx vertx, String host);
}

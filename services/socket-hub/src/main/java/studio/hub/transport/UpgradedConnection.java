package studio.hub.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops what Vert.x 5 keeps for every server WebSocket and the hub never uses: about 12 KiB of a
 * connection's 18 KiB of live heap, measured with {@code scripts/bench hub --memory} (its per-class
 * figures name them).
 *
 * <ul>
 *   <li><b>The handshake.</b> The WebSocket's Netty handler keeps the function that built its
 *       connection, and that function holds the HTTP/1.1 connection, request and response of the
 *       upgrade (headers, a write queue). It ran once, when the handler was added; forgetting it lets
 *       all of that be collected.
 *   <li><b>The cross-thread write queue.</b> Each connection gets a queue for writes made off its event
 *       loop, whose first chunk is an array of 1,025 references (4 KiB) allocated up front. The hub
 *       writes to a socket only on its event loop (its data frames go past Vert.x, see
 *       {@link EncodedTextWriter}; close frames and pongs come from handlers and timers on that loop),
 *       so the socket gets the direct queue Vert.x uses in its strict thread mode, which HTTP servers
 *       can choose but WebSocket connections cannot.
 * </ul>
 *
 * <p>Both are private fields, reached by reflection. If a Vert.x version no longer matches, nothing
 * is shed, the log says so once, and the socket works as before with the memory it costs in Vert.x.
 */
final class UpgradedConnection {
  private static final Logger LOG = LoggerFactory.getLogger(UpgradedConnection.class);
  /** Looked up once: per connection the lookups cost more than the shedding (and one threw). */
  private static final Internals INTERNALS = Internals.find();
  private static volatile boolean failureLogged;

  private UpgradedConnection() {
  }

  /**
   * Sheds both for the socket whose Vert.x handler is {@code vertxHandler}; true when both were shed.
   * Called on the socket's event loop right after the upgrade, before anything was written.
   */
  static boolean shed(ChannelHandlerContext vertxHandler) {
    ChannelHandler handler = vertxHandler.handler();
    if (INTERNALS.failure() != null) {
      return kept(INTERNALS.failure());
    }
    if (!INTERNALS.handlerType().isInstance(handler)) {
      return kept("the socket's handler is a " + handler.getClass().getName());
    }
    try {
      Object connection = INTERNALS.connection().invoke(handler);
      Object directQueue = INTERNALS.directQueue().newInstance(connection);
      INTERNALS.factory().set(handler, null);
      INTERNALS.queue().set(connection, directQueue);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return kept(e.toString());
    }
  }

  /** Says once in the log why nothing is shed; false. */
  private static boolean kept(String why) {
    if (!failureLogged) {
      failureLogged = true;
      LOG.warn("websocket: Vert.x's per-connection handshake and write queue are kept (about 12 KiB per "
          + "connection): {}", why);
    }
    return false;
  }

  /** The private members of Vert.x 5's connection classes that shedding touches, or why they were not found. */
  private record Internals(Class<?> handlerType, Field factory, Method connection, Field queue,
                           Constructor<?> directQueue, String failure) {
    static Internals find() {
      try {
        Class<?> handler = Class.forName("io.vertx.core.net.impl.VertxHandler");
        Class<?> connection = Class.forName("io.vertx.core.net.impl.VertxConnection");
        Class<?> direct = Class.forName(connection.getName() + "$DirectOutboundMessageQueue");
        Field factory = handler.getDeclaredField("connectionFactory");
        Field queue = connection.getDeclaredField("outboundMessageQueue");
        Constructor<?> directQueue = direct.getDeclaredConstructor(connection);
        factory.setAccessible(true);
        queue.setAccessible(true);
        directQueue.setAccessible(true);
        return new Internals(handler, factory, handler.getMethod("getConnection"), queue, directQueue, null);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return new Internals(null, null, null, null, null, e.toString());
      }
    }
  }
}

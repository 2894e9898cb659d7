package studio.hub.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops what Vert.x 5 keeps for every server WebSocket and the hub never uses: about 9 KiB of a
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
  private static volatile boolean failureLogged;

  private UpgradedConnection() {
  }

  /**
   * Sheds both for the socket whose Vert.x handler is {@code vertxHandler}; true when both were shed.
   * Called on the socket's event loop right after the upgrade, before anything was written.
   */
  static boolean shed(ChannelHandlerContext vertxHandler) {
    try {
      ChannelHandler handler = vertxHandler.handler();
      Field factory = field(handler.getClass(), "connectionFactory");
      Object connection = handler.getClass().getMethod("getConnection").invoke(handler);
      Field queue = field(connection.getClass(), "outboundMessageQueue");
      Class<?> direct = Class.forName(queue.getDeclaringClass().getName() + "$DirectOutboundMessageQueue");
      Constructor<?> directQueue = direct.getDeclaredConstructor(queue.getDeclaringClass());
      directQueue.setAccessible(true);
      Object replacement = directQueue.newInstance(connection);
      factory.set(handler, null);
      queue.set(connection, replacement);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      if (!failureLogged) {
        failureLogged = true;
        LOG.warn("websocket: Vert.x's per-connection handshake and write queue are kept (about 9 KiB each): {}",
            e.toString());
      }
      return false;
    }
  }

  /** The field {@code name} declared by {@code type} or one of its superclasses, made writable. */
  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    for (Class<?> declaring = type; declaring != null; declaring = declaring.getSuperclass()) {
      try {
        Field field = declaring.getDeclaredField(name);
        field.setAccessible(true);
        return field;
      } catch (NoSuchFieldException next) {
        // Declared higher up.
      }
    }
    throw new NoSuchFieldException(type.getName() + "." + name);
  }
}

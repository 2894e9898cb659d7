package studio.hub.socketio;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket an Engine.IO session writes to. Every event reaches a Socket.IO page as two packets, so
 * through Vert.x's {@code writeTextMessage} each delivery cost two UTF-8 encodings, two write paths and
 * two flushes (two syscalls) per subscriber: about 1.6 times the native protocol's cost (JFR). Here the packets go
 * straight into the connection's Netty channel, as Vert.x itself writes them (through the WebSocket
 * encoder, compression and TLS), but from bytes encoded once per event for all subscribers and with one
 * flush for both. Falls back to Vert.x's own writes when the channel cannot be reached.
 *
 * <p>Bytes written here bypass Vert.x's write queue, so fullness is the channel's own writability (its
 * high-water mark is the queue size set on the socket) and a relay placed before Vert.x's handler tells
 * when it drains; every packet of the session takes this road, so none overtakes another.
 */
final class EngineWebSocket {
  private static final Logger LOG = LoggerFactory.getLogger(EngineWebSocket.class);
  private static volatile boolean unwrapFailureLogged;

  private final ServerWebSocket socket;
  private final ChannelHandlerContext channel;

  private EngineWebSocket(ServerWebSocket socket, ChannelHandlerContext channel) {
    this.socket = socket;
    this.channel = channel;
  }

  /** Wraps a socket; {@code onWritable} runs on the event loop when a full channel drained. */
  static EngineWebSocket of(ServerWebSocket socket, Runnable onWritable) {
    ChannelHandlerContext context = channelOf(socket);
    if (context == null || !context.executor().inEventLoop()) {
      return new EngineWebSocket(socket, null);
    }
    context.pipeline().addBefore(context.name(), null, new WritabilityRelay(onWritable));
    return new EngineWebSocket(socket, context);
  }

  /** True when packets go straight into the channel (one flush per event), false on Vert.x's writes. */
  boolean direct() {
    return channel != null;
  }

  void write(String packet) {
    if (channel == null) {
      socket.writeTextMessage(packet);
    } else if (channel.channel().isActive()) {
      channel.writeAndFlush(new TextWebSocketFrame(packet), channel.voidPromise());
    }
  }

  /** The packets of one event, in order, flushed once; the shared bytes are not copied here. */
  void write(EventPackets.Translation packets) {
    if (channel == null) {
      for (String packet : packets.packets()) {
        socket.writeTextMessage(packet);
      }
      return;
    }
    if (!channel.channel().isActive()) {
      return;
    }
    ByteBuf[] frames = packets.frames();
    for (int i = 0; i < frames.length - 1; i++) {
      channel.write(new TextWebSocketFrame(frames[i].duplicate()), channel.voidPromise());
    }
    channel.writeAndFlush(new TextWebSocketFrame(frames[frames.length - 1].duplicate()), channel.voidPromise());
  }

  /**
   * A closed socket is never full: the session's writes to it are dropped and its close handler ends it.
   * On the direct road only the channel's writability counts (Vert.x's queue holds none of our packets),
   * which also spares two synchronized calls per delivery.
   */
  boolean writeQueueFull() {
    if (channel == null) {
      return !socket.isClosed() && socket.writeQueueFull();
    }
    Channel netty = channel.channel();
    return !netty.isWritable() && netty.isActive();
  }

  /**
   * The Netty context Vert.x writes through. Vert.x Web hands routes a wrapper around the core socket;
   * the core one exposes its context ({@link WebSocketInternal}). Null (and Vert.x's writes) if a
   * Vert.x version stops matching this shape.
   */
  private static ChannelHandlerContext channelOf(ServerWebSocket socket) {
    ServerWebSocket core = socket;
    try {
      if (!(core instanceof WebSocketInternal)) {
        Field delegate = core.getClass().getDeclaredField("delegate");
        delegate.setAccessible(true);
        core = (ServerWebSocket) delegate.get(core);
      }
      return core instanceof WebSocketInternal internal ? internal.channelHandlerContext() : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      if (!unwrapFailureLogged) {
        unwrapFailureLogged = true;
        LOG.warn("socket.io: writing through Vert.x (two flushes per event), the WebSocket channel is unreachable: {}",
            e.toString());
      }
      return null;
    }
  }

  /** Hears the channel drain: Vert.x's handler does not pass writability on, so this sits before it. */
  private static final class WritabilityRelay extends ChannelInboundHandlerAdapter {
    private final Runnable onWritable;

    WritabilityRelay(Runnable onWritable) {
      this.onWritable = onWritable;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // Vert.x first: it writes what it holds (a close frame, a pong) before the session writes more.
      ctx.fireChannelWritabilityChanged();
      if (ctx.channel().isWritable()) {
        onWritable.run();
      }
    }
  }
}

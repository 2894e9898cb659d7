package studio.hub.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes text messages already encoded to UTF-8 ({@link EncodedText}) to one server WebSocket: the one
 * place that knows Vert.x's internals for it, used by the native protocol and by Socket.IO alike.
 *
 * <p>Vert.x's public API takes a text message only as a String, encodes it on every write and flushes
 * every message: for an event fanned out to thousands of subscribers that is one UTF-8 encoding and
 * one syscall per subscriber and message (a Socket.IO event is two messages). So the messages go
 * straight into the connection's Netty channel, as Vert.x itself writes them (through the WebSocket
 * encoder, permessage-deflate and TLS handlers it installed), from the shared bytes, with one flush for
 * all the messages of one call. A message longer than the server's largest frame is cut into fragments
 * of that size, as Vert.x's {@code writeTextMessage} cuts it.
 *
 * <p>Bytes written here bypass Vert.x's write queue, so fullness is the channel's own writability (its
 * high-water mark is the queue size set on the socket with {@code setWriteQueueMaxSize}) and a relay
 * placed before Vert.x's handler tells when it drains. Every data message of the socket must take this
 * road: one written through Vert.x could wait in Vert.x's queue while a later one here overtakes it.
 *
 * <p>When the channel cannot be reached (a Vert.x version that no longer matches, a socket handed over
 * off its event loop) it falls back to Vert.x's public writes, correct but encoding and flushing per
 * message, and says so once in the log. On the direct road it also sheds what Vert.x keeps per socket
 * and the hub never uses ({@link UpgradedConnection}). Runs on the socket's event loop.
 */
public final class EncodedTextWriter {
  private static final Logger LOG = LoggerFactory.getLogger(EncodedTextWriter.class);
  private static volatile boolean fallbackLogged;
  /** Vert.x Web's socket wrapper's {@code delegate}, looked up once per wrapper class, not per connection (null: none). */
  private static final ClassValue<Field> DELEGATE = new ClassValue<>() {
    @Override
    protected Field computeValue(Class<?> wrapper) {
      try {
        Field delegate = wrapper.getDeclaredField("delegate");
        delegate.setAccessible(true);
        return delegate;
      } catch (NoSuchFieldException | RuntimeException e) {
        return null;
      }
    }
  };

  private final ServerWebSocket socket;
  /** Vert.x's handler context, writes from which pass every handler Vert.x put before it; null on the fallback. */
  private final ChannelHandlerContext channel;
  private final int maxFrameBytes;
  private Runnable onDrained = () -> { };
  private boolean shed;

  private EncodedTextWriter(ServerWebSocket socket, ChannelHandlerContext channel, int maxFrameBytes) {
    this.socket = socket;
    this.channel = channel;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * A writer for a socket just opened, called on its event loop; {@code maxFrameBytes} is the server's
   * largest WebSocket frame (its {@code maxWebSocketFrameSize}).
   */
  public static EncodedTextWriter of(ServerWebSocket socket, int maxFrameBytes) {
    ChannelHandlerContext context;
    try {
      context = channelOf(socket);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return throughVertx(socket, maxFrameBytes, "the socket's channel is unreachable: " + e);
    }
    if (!context.executor().inEventLoop()) {
      return throughVertx(socket, maxFrameBytes, "the socket was handed over off its event loop");
    }
    EncodedTextWriter writer = new EncodedTextWriter(socket, context, maxFrameBytes);
    context.pipeline().addBefore(context.name(), null, new WritabilityRelay(writer));
    if (context.channel().isWritable()) {
      // Writable: Vert.x's own queue holds nothing that could be left behind when it is replaced.
      writer.shed = UpgradedConnection.shed(context);
    }
    return writer;
  }

  /** The fallback: Vert.x's public writes only. Package-private so tests can take this road on purpose. */
  static EncodedTextWriter throughVertx(ServerWebSocket socket, int maxFrameBytes, String why) {
    if (!fallbackLogged) {
      fallbackLogged = true;
      LOG.warn("websocket: writing through Vert.x (one encoding and one flush per message and socket): {}", why);
    }
    return new EncodedTextWriter(socket, null, maxFrameBytes);
  }

  /** True when messages go straight into the channel (shared bytes, one flush per call). */
  public boolean direct() {
    return channel != null;
  }

  /** True when Vert.x's handshake and cross-thread write queue were dropped for this socket. */
  boolean shed() {
    return shed;
  }

  /** {@code onDrained} runs on the event loop when a full socket drained below its bound. */
  public void drainHandler(Runnable onDrained) {
    this.onDrained = onDrained;
    if (channel == null) {
      socket.drainHandler(drained -> onDrained.run());
    }
  }

  /**
   * The messages in order, flushed once. Dropped once the socket is closed or closing: a data frame
   * after the close frame breaks the protocol, and the socket's close handler ends the session.
   */
  public void write(EncodedText... messages) {
    if (socket.isClosed()) {
      return;
    }
    if (channel == null) {
      for (EncodedText message : messages) {
        socket.writeTextMessage(message.text());
      }
      return;
    }
    for (int i = 0; i < messages.length; i++) {
      writeMessage(messages[i].view(), i == messages.length - 1);
    }
  }

  private void writeMessage(ByteBuf bytes, boolean flush) {
    if (bytes.readableBytes() <= maxFrameBytes) {
      send(new TextWebSocketFrame(bytes), flush);
      return;
    }
    // Cut on byte boundaries, as Vert.x does: the peer checks UTF-8 on the reassembled message.
    send(new TextWebSocketFrame(false, 0, bytes.readSlice(maxFrameBytes)), false);
    while (bytes.readableBytes() > maxFrameBytes) {
      send(new ContinuationWebSocketFrame(false, 0, bytes.readSlice(maxFrameBytes)), false);
    }
    send(new ContinuationWebSocketFrame(true, 0, bytes), flush);
  }

  private void send(WebSocketFrame frame, boolean flush) {
    if (flush) {
      channel.writeAndFlush(frame, channel.voidPromise());
    } else {
      channel.write(frame, channel.voidPromise());
    }
  }

  /**
   * True when the peer reads slower than we write. A closed socket is never full: writes to it are
   * dropped and its close handler ends the session. On the direct road only the channel's writability
   * counts (Vert.x's queue holds none of these messages), which also spares synchronized calls.
   */
  public boolean writeQueueFull() {
    if (channel == null) {
      return !socket.isClosed() && socket.writeQueueFull();
    }
    Channel netty = channel.channel();
    return !netty.isWritable() && netty.isActive();
  }

  /**
   * The Netty context Vert.x writes through. Vert.x Web hands routes a wrapper around the core socket;
   * the core one exposes its context ({@link WebSocketInternal}). Fails (and the writer falls back) if a
   * Vert.x version stops matching this shape.
   */
  private static ChannelHandlerContext channelOf(ServerWebSocket socket) throws ReflectiveOperationException {
    ServerWebSocket core = socket;
    if (!(core instanceof WebSocketInternal)) {
      Field delegate = DELEGATE.get(core.getClass());
      if (delegate == null) {
        throw new NoSuchFieldException(core.getClass().getName() + ".delegate");
      }
      core = (ServerWebSocket) delegate.get(core);
    }
    if (!(core instanceof WebSocketInternal internal)) {
      throw new IllegalStateException(core.getClass().getName() + " is no WebSocketInternal");
    }
    return internal.channelHandlerContext();
  }

  /** Hears the channel drain: Vert.x's handler does not pass writability on, so this sits before it. */
  private static final class WritabilityRelay extends ChannelInboundHandlerAdapter {
    private final EncodedTextWriter writer;

    WritabilityRelay(EncodedTextWriter writer) {
      this.writer = writer;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // Vert.x first: it writes what it holds (a close frame, a pong) before the session writes more.
      ctx.fireChannelWritabilityChanged();
      if (ctx.channel().isWritable()) {
        writer.onDrained.run();
      }
    }
  }
}

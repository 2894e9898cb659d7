package studio.hub.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.error.CloseCode;
import studio.hub.session.FrameSink;
import studio.hub.session.Session;
import studio.hub.session.Sessions;
import studio.runtime.http.OriginPolicy;

/** Raw WebSocket at {@code <rt-path>/ws}; the token may come as {@code ?token=} or in an auth frame. */
public final class WebSocketTransport {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);
  private final Sessions sessions;
  private final int queueMaxBytes;
  private final int maxFrameBytes;
  /** Used only from the event loop of the hub instance that mounted this transport (see {@link EncodedFrame}). */
  private final EncodedFrame lastEncoded = new EncodedFrame();

  private WebSocketTransport(Sessions sessions, int queueMaxBytes, int maxFrameBytes) {
    this.sessions = sessions;
    this.queueMaxBytes = queueMaxBytes;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** {@code maxFrameBytes} is the server's largest WebSocket frame: a longer message is sent in fragments. */
  public static void mount(Router router, String rtPath, Sessions sessions, OriginPolicy origins, int queueMaxBytes,
                           int maxFrameBytes) {
    router.get(rtPath + "/ws").handler(origins);
    router.get(rtPath + "/ws").handler(new WebSocketTransport(sessions, queueMaxBytes, maxFrameBytes)::upgrade);
  }

  private void upgrade(RoutingContext ctx) {
    String token = ctx.request().getParam("token");
    ctx.request().toWebSocket().onSuccess(ws -> {
      ws.setWriteQueueMaxSize(queueMaxBytes);
      Session session = sessions.open(new Sink(ws, lastEncoded, maxFrameBytes), token);
      if (session == null) {
        return;
      }
      ws.textMessageHandler(session::onText);
      ws.binaryMessageHandler(binary -> session.onUnreadable());
      ws.closeHandler(closed -> sessions.closed(session));
      ws.exceptionHandler(failure -> ws.close());
    }).onFailure(failure -> LOG.warn("websocket upgrade from {} failed: {}", ctx.request().remoteAddress(),
        failure.getMessage()));
  }

  private record Sink(ServerWebSocket ws, EncodedFrame encoded, int maxFrameBytes) implements FrameSink {
    @Override
    public String transport() {
      return "websocket";
    }

    // A peer can close between our last check and this write; its close handler ends the session.
    @Override
    public boolean writeQueueFull() {
      return !ws.isClosed() && ws.writeQueueFull();
    }

    @Override
    public void write(String frame) {
      if (ws.isClosed()) {
        return;
      }
      // The frame as a text frame of the UTF-8 bytes encoded once per event, not once per subscriber.
      // Vert.x's public API takes text frames only as String; its frame class takes a buffer as is.
      ByteBuf bytes = encoded.of(frame);
      if (bytes.readableBytes() <= maxFrameBytes) {
        ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes, true));
      } else {
        ws.writeTextMessage(frame);
      }
    }

    @Override
    public void drainHandler(Runnable onDrained) {
      ws.drainHandler(drained -> onDrained.run());
    }

    @Override
    public void close(CloseCode code) {
      ws.close((short) code.code(), code.reason());
    }
  }

  /**
   * The UTF-8 bytes of the last frame written, by identity: fan-out hands every subscriber of a room
   * the same event String in a row, so each event is encoded once per hub instance instead of once
   * per delivery. Each write gets its own unreleasable view (its own reader index; Netty's encoder
   * releasing it after the write frees nothing), so the shared bytes stay valid for the next writer
   * and are left to the garbage collector once replaced. Confined to one event loop: no locks.
   */
  static final class EncodedFrame {
    private String frame;
    private ByteBuf bytes;

    ByteBuf of(String text) {
      if (text != frame) {
        bytes = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
        frame = text;
      }
      return bytes.duplicate();
    }
  }
}

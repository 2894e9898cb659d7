package studio.hub.transport;

import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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
      Session session = sessions.open(new Sink(ws, EncodedTextWriter.of(ws, maxFrameBytes), lastEncoded), token);
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

  private record Sink(ServerWebSocket ws, EncodedTextWriter writer, EncodedFrame encoded) implements FrameSink {
    @Override
    public String transport() {
      return "websocket";
    }

    @Override
    public boolean writeQueueFull() {
      return writer.writeQueueFull();
    }

    /** The frame's UTF-8 bytes are encoded once per event and hub instance, not once per subscriber. */
    @Override
    public void write(String frame) {
      writer.write(encoded.of(frame));
    }

    @Override
    public void drainHandler(Runnable onDrained) {
      writer.drainHandler(onDrained);
    }

    @Override
    public void close(CloseCode code) {
      ws.close((short) code.code(), code.reason());
    }
  }

  /**
   * The last frame written, encoded, by identity: fan-out hands every subscriber of a room the same
   * event String in a row, so each event is encoded once per hub instance instead of once per
   * delivery ({@link EncodedText} says why its bytes may be shared). Confined to one event loop: no locks.
   */
  static final class EncodedFrame {
    private EncodedText last;

    EncodedText of(String frame) {
      if (last == null || last.text() != frame) {
        last = EncodedText.of(frame);
      }
      return last;
    }
  }
}

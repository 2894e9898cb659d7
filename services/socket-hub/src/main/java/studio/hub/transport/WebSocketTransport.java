package studio.hub.transport;

import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import studio.contract.error.CloseCode;
import studio.runtime.http.OriginPolicy;
import studio.hub.session.FrameSink;
import studio.hub.session.Session;
import studio.hub.session.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Raw WebSocket at {@code <rt-path>/ws}; the token may come as {@code ?token=} or in an auth frame. */
public final class WebSocketTransport {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);
  private final Sessions sessions;
  private final int queueMaxBytes;

  private WebSocketTransport(Sessions sessions, int queueMaxBytes) {
    this.sessions = sessions;
    this.queueMaxBytes = queueMaxBytes;
  }

  public static void mount(Router router, String rtPath, Sessions sessions, OriginPolicy origins, int queueMaxBytes) {
    router.get(rtPath + "/ws").handler(origins);
    router.get(rtPath + "/ws").handler(new WebSocketTransport(sessions, queueMaxBytes)::upgrade);
  }

  private void upgrade(RoutingContext ctx) {
    String token = ctx.request().getParam("token");
    ctx.request().toWebSocket().onSuccess(ws -> {
      ws.setWriteQueueMaxSize(queueMaxBytes);
      Session session = sessions.open(new Sink(ws), token);
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

  private record Sink(ServerWebSocket ws) implements FrameSink {
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
      if (!ws.isClosed()) {
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

}

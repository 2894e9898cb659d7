package studio.hub.transport;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import studio.contract.error.CloseCode;
import studio.runtime.http.BodyRefusals;
import studio.runtime.http.OriginPolicy;
import studio.hub.session.FrameSink;
import studio.hub.session.Session;
import studio.hub.session.Sessions;

/**
 * SockJS at {@code <rt-path>/sockjs} with all of its transports and the same frames as the raw
 * WebSocket; clients authenticate with an auth frame. Its HTTP transports keep session state on
 * one replica, so behind a load balancer they need sticky sessions (the WebSocket one does not).
 */
public final class SockJsTransport {
  /** One xhr_send may batch several frames; each is still checked against the frame limit. */
  private static final int MAX_SEND_BYTES = 1024 * 1024;
  private SockJsTransport() {
  }

  public static void mount(Vertx vertx, Router router, String rtPath, Sessions sessions, OriginPolicy origins,
                           int queueMaxBytes, long heartbeatMillis) {
    SockJSHandlerOptions options = new SockJSHandlerOptions().setHeartbeatInterval(heartbeatMillis)
        .setRegisterWriteHandler(false);
    router.route(rtPath + "/sockjs/*").handler(origins);
    // SockJS's HTTP send transports read the request body through the router.
    router.post(rtPath + "/sockjs/*").handler(BodyHandler.create(false).setBodyLimit(MAX_SEND_BYTES))
        .failureHandler(BodyRefusals::answer);
    router.route(rtPath + "/sockjs/*").subRouter(SockJSHandler.create(vertx, options)
        .socketHandler(socket -> open(socket, sessions, queueMaxBytes)));
  }

  private static void open(SockJSSocket socket, Sessions sessions, int queueMaxBytes) {
    socket.setWriteQueueMaxSize(queueMaxBytes);
    Session session = sessions.open(new Sink(socket), null);
    if (session == null) {
      return;
    }
    socket.handler(buffer -> session.onText(buffer.toString()));
    socket.endHandler(ended -> sessions.closed(session));
    socket.exceptionHandler(failure -> socket.close());
  }

  private record Sink(SockJSSocket socket) implements FrameSink {
    @Override
    public String transport() {
      return "sockjs";
    }

    // A peer can go away between our last check and this write; its end handler ends the session.
    @Override
    public boolean writeQueueFull() {
      try {
        return socket.writeQueueFull();
      } catch (IllegalStateException closed) {
        return false;
      }
    }

    @Override
    public void write(String frame) {
      try {
        socket.write(frame);
      } catch (IllegalStateException closed) {
        // nothing to deliver to any more
      }
    }

    @Override
    public void drainHandler(Runnable onDrained) {
      socket.drainHandler(drained -> onDrained.run());
    }

    @Override
    public void close(CloseCode code) {
      socket.close(code.code(), code.reason());
    }
  }
}

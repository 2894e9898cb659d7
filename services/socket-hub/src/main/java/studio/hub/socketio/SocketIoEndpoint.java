package studio.hub.socketio;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.Addresses;
import studio.hub.auth.TokenVerifier;
import studio.hub.session.Sessions;
import studio.runtime.http.BodyRefusals;
import studio.runtime.http.OriginPolicy;

/**
 * Engine.IO v4 at the Socket.IO path: the handshake, long-polling GET/POST, WebSocket (from the start
 * or as an upgrade), each session carrying one {@link RtConnection}. A session id names its owner hub
 * instance ({@code <owner>_<random>}); a polling request that reaches another instance or replica is
 * forwarded to the owner over the (clustered) event bus, so round-robin proxies need no affinity.
 */
public final class SocketIoEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(SocketIoEndpoint.class);
  private static final char OWNER_SEPARATOR = '_';

  private final Vertx vertx;
  private final Sessions sessions;
  private final TokenVerifier verifier;
  private final EngineOptions options;
  private final int outboxMaxChars;
  private final int maxFrameBytes;
  private final long connectTimeoutMs;
  private final String owner = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  private final Map<String, EngineSocket> local = new HashMap<>();
  private final EventPackets events = new EventPackets();
  private MessageConsumer<JsonObject> relay;

  private SocketIoEndpoint(Vertx vertx, Sessions sessions, TokenVerifier verifier, EngineOptions options,
                           int outboxMaxChars, int maxFrameBytes, long connectTimeoutMs) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.verifier = verifier;
    this.options = options;
    this.outboxMaxChars = outboxMaxChars;
    this.maxFrameBytes = maxFrameBytes;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  /**
   * Mounts the endpoint and registers this instance's relay address; completes once the relay is registered.
   * {@code maxFrameBytes} is the server's largest WebSocket frame: a longer packet is sent in fragments.
   */
  public static Future<SocketIoEndpoint> mount(Vertx vertx, Router router, String path, Sessions sessions,
                                               TokenVerifier verifier, OriginPolicy origins, EngineOptions options,
                                               int outboxMaxChars, int maxFrameBytes, long connectTimeoutMs) {
    SocketIoEndpoint endpoint = new SocketIoEndpoint(vertx, sessions, verifier, options, outboxMaxChars, maxFrameBytes,
        connectTimeoutMs);
    String route = "^" + Pattern.quote(path) + "/?$";
    router.routeWithRegex(HttpMethod.OPTIONS, route).handler(origins).handler(SocketIoEndpoint::preflight);
    router.routeWithRegex(HttpMethod.POST, route)
        .handler(BodyHandler.create(false).setBodyLimit(options.maxPayload())).handler(origins).handler(endpoint::handle)
        .failureHandler(BodyRefusals::answer);
    // No body handler on GET: it would consume the request a WebSocket upgrade needs.
    router.routeWithRegex(HttpMethod.GET, route).handler(origins).handler(endpoint::handle);
    // As Node's Socket.IO server does, so an old page's <script src="/socket.io/socket.io.min.js"> still loads.
    String bundle = endpoint.clientBundle();
    router.get(path + "/socket.io.min.js").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/javascript; charset=UTF-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=3600").end(bundle));
    endpoint.relay = vertx.eventBus().consumer(Addresses.SOCKETIO_OWNER_PREFIX + endpoint.owner, endpoint::relayed);
    return endpoint.relay.completion().map(registered -> endpoint);
  }

  /** socket.io-client v4.8.1 (MIT), vendored from npm; read once at start. */
  private String clientBundle() {
    try (var in = SocketIoEndpoint.class.getResourceAsStream("/socketio/socket.io.min.js")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the vendored socket.io-client bundle is missing from the hub's jar", e);
    }
  }

  public Future<Void> close() {
    return relay.unregister();
  }

  private void handle(RoutingContext ctx) {
    allowOrigin(ctx);
    String transport = ctx.request().getParam("transport");
    String sid = ctx.request().getParam("sid");
    if (!"4".equals(ctx.request().getParam("EIO"))) {
      fail(ctx, EngineErrors.UNSUPPORTED_PROTOCOL_VERSION);
    } else if (!"polling".equals(transport) && !"websocket".equals(transport)) {
      fail(ctx, EngineErrors.UNKNOWN_TRANSPORT);
    } else if ("websocket".equals(transport)) {
      webSocket(ctx, sid);
    } else if (sid == null) {
      openPolling(ctx);
    } else {
      polling(ctx, sid);
    }
  }

  private void openPolling(RoutingContext ctx) {
    if (ctx.request().method() != HttpMethod.GET) {
      fail(ctx, EngineErrors.BAD_HANDSHAKE_METHOD);
      return;
    }
    EngineSocket socket = open(Handshake.of(ctx.request()), null);
    socket.poll(reply(ctx));
  }

  private void webSocket(RoutingContext ctx, String sid) {
    EngineSocket upgrading = sid == null ? null : local.get(sid);
    if (sid != null && upgrading == null) {
      // A WebSocket cannot be forwarded as a polling request can: the client keeps polling instead.
      fail(ctx, EngineErrors.UNKNOWN_SID);
      return;
    }
    Handshake handshake = Handshake.of(ctx.request());
    ctx.request().toWebSocket().onSuccess(ws -> {
      ws.setWriteQueueMaxSize(outboxMaxChars);
      if (upgrading != null) {
        upgrading.probe(ws);
      } else {
        open(handshake, ws);
      }
    }).onFailure(failure -> LOG.warn("socket.io websocket from {} failed: {}", ctx.request().remoteAddress(),
        failure.getMessage()));
  }

  private EngineSocket open(Handshake handshake, ServerWebSocket ws) {
    String sid = owner + OWNER_SEPARATOR + UUID.randomUUID().toString().replace("-", "");
    EngineSocket socket = new EngineSocket(vertx, sid, options, handshake, outboxMaxChars, maxFrameBytes,
        () -> local.remove(sid));
    local.put(sid, socket);
    RtConnection connection = new RtConnection(vertx, socket, sessions, verifier, events, connectTimeoutMs);
    socket.start(connection, ws);
    connection.awaitConnect();
    return socket;
  }

  private void polling(RoutingContext ctx, String sid) {
    EngineSocket socket = local.get(sid);
    String body = ctx.request().method() == HttpMethod.POST ? ctx.body().asString() : null;
    if (socket != null) {
      EngineSocket.PollReply reply = reply(ctx);
      if (ctx.request().method() == HttpMethod.POST) {
        socket.post(body == null ? "" : body, reply);
      } else {
        ctx.response().closeHandler(gone -> socket.pollAbandoned(reply));
        socket.poll(reply);
      }
      return;
    }
    int separator = sid.indexOf(OWNER_SEPARATOR);
    if (separator <= 0 || sid.substring(0, separator).equals(owner)) {
      fail(ctx, EngineErrors.UNKNOWN_SID);
      return;
    }
    forward(ctx, sid.substring(0, separator), sid, body);
  }

  /** Hands a polling request to the instance owning the session and relays its answer. */
  private void forward(RoutingContext ctx, String ownerOfSid, String sid, String body) {
    JsonObject request = new JsonObject().put("method", ctx.request().method().name()).put("sid", sid).put("body", body);
    // A GET waits at most a ping interval (the owner pings); the timeout only catches a lost owner.
    long timeout = options.pingInterval().plus(options.pingTimeout()).toMillis();
    vertx.eventBus().<JsonObject>request(Addresses.SOCKETIO_OWNER_PREFIX + ownerOfSid, request,
            new DeliveryOptions().setSendTimeout(timeout))
        .onSuccess(answer -> respond(ctx.response(), answer.body().getInteger("status"), answer.body().getString("body")))
        .onFailure(lost -> respond(ctx.response(), 400, EngineErrors.UNKNOWN_SID));
  }

  private void relayed(Message<JsonObject> message) {
    JsonObject request = message.body();
    EngineSocket socket = local.get(request.getString("sid"));
    EngineSocket.PollReply reply = (status, body) -> {
      message.reply(new JsonObject().put("status", status).put("body", body));
      return true;
    };
    if (socket == null) {
      reply.reply(400, EngineErrors.UNKNOWN_SID);
    } else if ("POST".equals(request.getString("method"))) {
      socket.post(request.getString("body", ""), reply);
    } else {
      socket.poll(reply);
    }
  }

  private static EngineSocket.PollReply reply(RoutingContext ctx) {
    return (status, body) -> respond(ctx.response(), status, body);
  }

  private static boolean respond(HttpServerResponse response, int status, String body) {
    if (response.ended() || response.closed()) {
      return false;
    }
    String type = status == 200 ? "text/plain; charset=UTF-8" : "application/json";
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, type).putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body);
    return true;
  }

  private static void fail(RoutingContext ctx, String body) {
    respond(ctx.response(), 400, body);
  }

  /** Polling from a page on another allowed origin (the origin was checked before this). */
  private static void allowOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null) {
      ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin")
          .putHeader("Access-Control-Allow-Credentials", "true");
    }
  }

  private static void preflight(RoutingContext ctx) {
    allowOrigin(ctx);
    ctx.response().setStatusCode(204)
        .putHeader("Access-Control-Allow-Methods", "GET, POST")
        .putHeader("Access-Control-Allow-Headers", "Content-Type")
        .putHeader("Access-Control-Max-Age", "600")
        .end();
  }
}

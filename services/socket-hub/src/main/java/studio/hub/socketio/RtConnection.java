package studio.hub.socketio;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import studio.contract.error.CloseCode;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.frame.ConnectionHealth;
import studio.contract.frame.FrameOp;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;
import studio.contract.socketio.SocketIoNames;
import studio.hub.auth.Principal;
import studio.hub.auth.TokenVerifier;
import studio.hub.session.FrameSink;
import studio.hub.session.Session;
import studio.hub.session.Sessions;

/**
 * The {@code /rt} namespace of one Engine.IO session, as a page written for Flask-SocketIO sees it, on
 * top of the hub's own {@link Session}: the page's events become the session's frames (so
 * authentication, the resume rule, rate limit, byte bound, conflation and drain are the session's), and
 * the session's frames become Socket.IO packets. Only room grants are checked here too, so that a
 * forbidden room is refused alone rather than failing its whole subscribe.
 */
final class RtConnection implements EngineSocket.Listener, FrameSink {
  private static final String NAMESPACE = SocketIoNames.NAMESPACE;

  /** An emit waiting for the session's answer: the page's ack id (null if it asked none) and rooms refused here. */
  private record Pending(String event, Long ackId, JsonObject refused) {
  }

  private final Vertx vertx;
  private final EngineSocket engine;
  private final Sessions sessions;
  private final TokenVerifier verifier;
  private final EventPackets events;
  private final long connectTimeoutMs;
  private final String socketId = UUID.randomUUID().toString();
  private final Map<String, Pending> pending = new HashMap<>();
  private final Set<String> rooms = new TreeSet<>();
  /** Events a client sent before its CONNECT was answered (Socket.IO clients buffer, hand-written ones may not). */
  private final List<SocketPacket> early = new ArrayList<>();
  private Session session;
  private Principal principal;
  private static final int MAX_EARLY_EVENTS = 16;
  private boolean connecting;
  private boolean connected;
  private long connectTimer;
  private long nextRequest;
  private String inFlight;
  private Runnable onWritable = () -> { };

  RtConnection(Vertx vertx, EngineSocket engine, Sessions sessions, TokenVerifier verifier, EventPackets events,
               long connectTimeoutMs) {
    this.vertx = vertx;
    this.engine = engine;
    this.sessions = sessions;
    this.verifier = verifier;
    this.events = events;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  /** Closes the Engine.IO session when no namespace CONNECT arrives in time, as Socket.IO servers do. */
  void awaitConnect() {
    connectTimer = vertx.setTimer(connectTimeoutMs, timer -> {
      if (session == null) {
        engine.close("connect timeout");
      }
    });
  }

  // Engine.IO side

  @Override
  public void onMessage(String data) {
    SocketPacket packet;
    try {
      packet = SocketPacket.decode(data);
    } catch (ContractException e) {
      refuseMalformed(data, e);
      return;
    }
    if (!NAMESPACE.equals(packet.namespace())) {
      if (packet.type() == SocketPacket.Type.CONNECT) {
        send(SocketPacket.connectError(packet.namespace(), "Invalid namespace", null));
      }
      return;
    }
    switch (packet.type()) {
      case CONNECT -> connect(packet);
      case EVENT -> event(packet);
      case DISCONNECT -> engine.close("client namespace disconnect");
      default -> {
        // The hub never asks the page for an ack, so an ACK answers nothing.
      }
    }
  }

  @Override
  public void onPong() {
    if (session == null) {
      return;
    }
    // The session reaps connections silent longer than ping interval + timeout; a pong is a sign of life.
    toSession(Frames.ping().put(Frames.ID, "heartbeat"));
  }

  @Override
  public void onWritable() {
    onWritable.run();
  }

  @Override
  public void onClose(String reason) {
    vertx.cancelTimer(connectTimer);
    if (session != null) {
      sessions.closed(session);
    }
  }

  private void connect(SocketPacket packet) {
    if (session != null || connecting) {
      return;
    }
    connecting = true;
    Object auth = packet.data() instanceof JsonObject data ? data.getValue("token") : null;
    String token = auth instanceof String text && !text.isBlank() ? text : engine.handshake().token();
    verifier.verify(token).onSuccess(verified -> {
      principal = verified;
      session = sessions.open(this, null);
      if (session != null) {
        request("connect", null, Frames.auth(token), null);
      }
    }).onFailure(failure -> {
      connecting = false;
      ErrorCode code = failure instanceof ContractException e ? e.code() : ErrorCode.UNAUTHENTICATED;
      send(SocketPacket.connectError(NAMESPACE, failure.getMessage(), new JsonObject().put("code", code.wire())));
    });
  }

  private void event(SocketPacket packet) {
    if (!connected) {
      if (connecting && early.size() < MAX_EARLY_EVENTS) {
        early.add(packet);
      }
      return;
    }
    String name = packet.eventName();
    Object argument = packet.eventArgument();
    JsonObject data = argument instanceof JsonObject object ? object : new JsonObject();
    switch (name) {
      case SocketIoNames.SUBSCRIBE -> subscribe(packet.ackId(), data);
      case SocketIoNames.UNSUBSCRIBE ->
          request(name, packet.ackId(), unsubscribe(data), null);
      // The native health op answers; the ack adds what only the Socket.IO layer knows (see health).
      case SocketIoNames.HEALTH -> request(name, packet.ackId(), Frames.health(), null);
      // The session refuses an op it does not know, in its own words.
      default -> request(name, packet.ackId(), new JsonObject().put(Frames.OP, name), null);
    }
  }

  /** Refuses the rooms the token does not grant, one by one; the session subscribes the rest. */
  private void subscribe(Long ackId, JsonObject data) {
    JsonObject refused = new JsonObject();
    JsonArray granted = new JsonArray();
    if (data.getValue(Frames.ROOMS) instanceof JsonArray requested) {
      for (Object room : requested) {
        if (room instanceof String key && forbidden(key)) {
          refused.put(key, errorJson(new ContractException(ErrorCode.FORBIDDEN_ROOM, "token does not grant " + key)));
        } else {
          granted.add(room);
        }
      }
    }
    if (granted.isEmpty() && !refused.isEmpty()) {
      ack(ackId, new JsonObject().put("rooms", refused));
      return;
    }
    // The rooms and since as the page sent them (the session validates both and names what is wrong).
    JsonObject frame = new JsonObject().put(Frames.OP, FrameOp.SUBSCRIBE.wire())
        .put(Frames.ROOMS, data.getValue(Frames.ROOMS) == null ? null : granted);
    if (data.containsKey(Frames.SINCE)) {
      frame.put(Frames.SINCE, data.getValue(Frames.SINCE));
    }
    request(SocketIoNames.SUBSCRIBE, ackId, frame, refused);
  }

  private static JsonObject unsubscribe(JsonObject data) {
    return new JsonObject().put(Frames.OP, FrameOp.UNSUBSCRIBE.wire()).put(Frames.ROOMS, data.getValue(Frames.ROOMS));
  }

  /** An invalid key is not forbidden: the session names it {@code invalid_room}. */
  private boolean forbidden(String key) {
    try {
      return !principal.grant().allows(RoomKey.parse(key));
    } catch (ContractException invalid) {
      return false;
    }
  }

  /** Sends a frame to the session, remembering which emit its answer belongs to. */
  private void request(String event, Long ackId, JsonObject frame, JsonObject refused) {
    String id = "sio-" + nextRequest++;
    pending.put(id, new Pending(event, ackId, refused));
    toSession(frame.put(Frames.ID, id));
  }

  private void toSession(JsonObject frame) {
    inFlight = frame.getString(Frames.ID);
    try {
      session.onText(frame.encode());
    } finally {
      inFlight = null;
    }
  }

  /**
   * A packet that is not Socket.IO: before CONNECT it ends the session; after, the session counts it as a
   * bad frame (and against the rate), and the page hears why.
   */
  private void refuseMalformed(String data, ContractException e) {
    if (session == null) {
      engine.close("parse error");
      return;
    }
    emit(SocketIoNames.ERROR, errorJson(e));
    session.onText(data.isEmpty() ? " " : data);
  }

  // Session side (FrameSink)

  @Override
  public String transport() {
    return "socketio";
  }

  @Override
  public boolean writeQueueFull() {
    return engine.writeQueueFull();
  }

  @Override
  public long heldBytes() {
    return engine.heldBytes();
  }

  @Override
  public void write(String frame) {
    if (EventPackets.isEvent(frame)) {
      engine.send(events.translate(frame));
      return;
    }
    JsonObject reply = new JsonObject(frame);
    FrameOp op = Frames.opOf(reply);
    String id = reply.getString(Frames.ID);
    if (id == null && inFlight != null && op == FrameOp.ERROR) {
      id = inFlight; // refused before the session read its id: rate limit, size
    }
    Pending request = id == null ? null : pending.remove(id);
    switch (op == null ? FrameOp.CONNECTED : op) {
      case ACK -> answered(request, reply);
      case PONG -> {
        // The heartbeat's pong: nothing waits for it.
      }
      case ERROR -> failed(request, reply);
      case DRAINING -> emit(SocketIoNames.DRAINING,
          new JsonObject().put(Frames.RETRY_AFTER_MS, reply.getValue(Frames.RETRY_AFTER_MS)));
      default -> {
        // "connected" greets native clients; the CONNECT reply below is ours.
      }
    }
  }

  @Override
  public void drainHandler(Runnable onDrained) {
    onWritable = onDrained;
  }

  /** Reconnectable codes end the transport (the page reconnects and resumes); the others end the namespace. */
  @Override
  public void close(CloseCode code) {
    emit(SocketIoNames.CLOSING, new JsonObject().put("code", code.code()).put("reason", code.reason())
        .put("reconnect", code.reconnect()));
    if (!code.reconnect()) {
      send(SocketPacket.disconnect(NAMESPACE));
    }
    engine.close(code.reason());
  }

  private void answered(Pending request, JsonObject reply) {
    if (request == null) {
      return;
    }
    if ("connect".equals(request.event())) {
      vertx.cancelTimer(connectTimer);
      connected = true;
      send(SocketPacket.connected(NAMESPACE, socketId));
      List.copyOf(early).forEach(this::event);
      early.clear();
      return;
    }
    if (reply.containsKey(Frames.HEALTH)) {
      ack(request.ackId(), health(reply.getJsonObject(Frames.HEALTH)));
      return;
    }
    JsonObject answered = reply.getJsonObject(Frames.ROOMS, new JsonObject());
    answered.forEach(entry -> {
      if (SocketIoNames.SUBSCRIBE.equals(request.event())) {
        rooms.add(entry.getKey());
      } else {
        rooms.remove(entry.getKey());
      }
    });
    JsonObject all = new JsonObject(new LinkedHashMap<>(answered.getMap()));
    if (request.refused() != null) {
      all.mergeIn(request.refused());
    }
    ack(request.ackId(), new JsonObject().put("rooms", all));
  }

  private void failed(Pending request, JsonObject reply) {
    JsonObject error = new JsonObject().put("code", reply.getString("code")).put("message", reply.getString("message"));
    if (request == null) {
      emit(SocketIoNames.ERROR, error);
    } else if ("connect".equals(request.event())) {
      send(SocketPacket.connectError(NAMESPACE, reply.getString("message"), new JsonObject().put("code", reply.getString("code"))));
    } else if (request.ackId() == null) {
      emit(SocketIoNames.ERROR, error.put("event", request.event()));
    } else {
      JsonObject answer = new JsonObject().put("error", error);
      if (request.refused() != null && !request.refused().isEmpty()) {
        answer.put("rooms", request.refused());
      }
      ack(request.ackId(), answer);
    }
  }

  /** The session's answer, with the Engine.IO transport in use and the Socket.IO ids and rooms. */
  private JsonObject health(JsonObject session) {
    return session
        .put(ConnectionHealth.TRANSPORT, engine.transport())
        .put("sid", engine.sid())
        .put("socket_id", socketId)
        .put("subject", principal.subject())
        .put(Frames.ROOMS, new JsonArray(rooms.stream().toList()));
  }

  private void ack(Long ackId, JsonObject answer) {
    if (ackId != null) {
      send(SocketPacket.ack(NAMESPACE, ackId, answer));
    }
  }

  private void emit(String event, JsonObject data) {
    send(SocketPacket.event(NAMESPACE, event, data));
  }

  private void send(SocketPacket packet) {
    engine.send(EnginePacket.message(packet.encode()));
  }

  private static JsonObject errorJson(ContractException e) {
    return new JsonObject().put("error", new JsonObject().put("code", e.code().wire()).put("message", e.getMessage()));
  }
}

package studio.hub.socketio;

import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import studio.contract.error.ContractException;
import studio.hub.transport.EncodedText;
import studio.hub.transport.EncodedTextWriter;

/**
 * One Engine.IO v4 session on its owner replica: the transport that carries it (HTTP long-polling,
 * upgraded to a WebSocket when the client probes one, or a WebSocket from the start), its heartbeat
 * (a ping every interval, closed when a pong is late), and its outgoing packets. While on polling,
 * packets wait in a bounded outbox for the next GET. Runs on one event loop.
 */
final class EngineSocket {
  /** What the Socket.IO layer hears from its Engine.IO session. */
  interface Listener {
    void onMessage(String data);

    /** The client answered a ping: it is alive. */
    void onPong();

    /** A full transport buffer drained; the layer may write again. */
    void onWritable();

    void onClose(String reason);
  }

  /** Answers one long-polling request, locally or over the event bus; false when the requester is gone. */
  interface PollReply {
    boolean reply(int status, String body);
  }

  private final Vertx vertx;
  private final String sid;
  private final EngineOptions options;
  private final Handshake handshake;
  private final int outboxMaxChars;
  private final int maxFrameBytes;
  private final Runnable onForgotten;
  private final ArrayDeque<String> outbox = new ArrayDeque<>();
  private long outboxChars;
  private Listener listener;
  private PollReply pendingPoll;
  private ServerWebSocket webSocket;
  /** How packets reach {@link #webSocket}: straight into its channel, one flush per event, when it can. */
  private EncodedTextWriter writer;
  private long pingTimer = -1;
  private long pongDeadline = -1;
  private long forgetTimer = -1;
  private boolean closed;

  /** {@code maxFrameBytes} is the server's largest WebSocket frame: a longer packet is sent in fragments. */
  EngineSocket(Vertx vertx, String sid, EngineOptions options, Handshake handshake, int outboxMaxChars,
               int maxFrameBytes, Runnable onForgotten) {
    this.vertx = vertx;
    this.sid = sid;
    this.options = options;
    this.handshake = handshake;
    this.outboxMaxChars = outboxMaxChars;
    this.maxFrameBytes = maxFrameBytes;
    this.onForgotten = onForgotten;
  }

  String sid() {
    return sid;
  }

  Handshake handshake() {
    return handshake;
  }

  String transport() {
    return webSocket != null ? "websocket" : "polling";
  }

  /** Starts the heartbeat; a WebSocket session starts on it at once, a polling one waits for its first GET. */
  void start(Listener sessionListener, ServerWebSocket openedOn) {
    this.listener = sessionListener;
    if (openedOn != null) {
      useWebSocket(openedOn);
      writer.write(EncodedText.of(options.open(sid, false).encode()));
    } else {
      outbox.add(options.open(sid, true).encode());
    }
    pingTimer = vertx.setPeriodic(options.pingInterval().toMillis(), timer -> ping());
  }

  void send(EnginePacket packet) {
    send(packet.encode());
  }

  void send(String encodedPacket) {
    if (closed) {
      return;
    }
    if (webSocket != null) {
      writer.write(EncodedText.of(encodedPacket));
      return;
    }
    queue(encodedPacket);
    flushPoll(false);
  }

  /** An event's packets, written together: one flush on a WebSocket, one polling answer at most. */
  void send(EventPackets.Translation packets) {
    if (closed) {
      return;
    }
    if (webSocket != null) {
      writer.write(packets.packets());
      return;
    }
    for (EncodedText packet : packets.packets()) {
      queue(packet.text());
    }
    flushPoll(false);
  }

  private void queue(String encodedPacket) {
    outbox.addLast(encodedPacket);
    outboxChars += encodedPacket.length();
  }

  /**
   * True when the client reads slower than we write: its socket buffer is full, or its polling outbox
   * holds half the per-connection bound. The outbox counts against that bound together with the
   * session's queue ({@link #heldBytes}); stopping at half leaves the queue room to conflate progress.
   */
  boolean writeQueueFull() {
    return webSocket != null ? writer.writeQueueFull() : outboxChars > outboxMaxChars / 2;
  }

  /** What waits in the polling outbox for the next GET; a WebSocket's buffer is Netty's, bounded on its own. */
  long heldBytes() {
    return webSocket != null ? 0 : outboxChars;
  }

  /** A long-polling GET: answered now if packets wait, else when the next one is sent (a ping at the latest). */
  void poll(PollReply reply) {
    if (webSocket != null || (closed && outbox.isEmpty())) {
      reply.reply(400, EngineErrors.UNKNOWN_SID);
      return;
    }
    if (pendingPoll != null) {
      reply.reply(400, EngineErrors.BAD_REQUEST);
      close("multiple polling requests");
      return;
    }
    pendingPoll = reply;
    flushPoll(false);
  }

  /** The requester of the pending GET went away before it was answered. */
  void pollAbandoned(PollReply reply) {
    if (pendingPoll == reply) {
      pendingPoll = null;
    }
  }

  /** A long-polling POST: its packets in order; a malformed body closes the session. */
  void post(String body, PollReply reply) {
    if (closed || webSocket != null) {
      reply.reply(400, EngineErrors.UNKNOWN_SID);
      return;
    }
    List<EnginePacket> packets;
    try {
      packets = EnginePacket.decodePayload(body);
    } catch (ContractException e) {
      reply.reply(400, EngineErrors.BAD_REQUEST);
      close("parse error");
      return;
    }
    reply.reply(200, "ok");
    packets.forEach(this::receive);
  }

  /**
   * A WebSocket opened with this session's id: answers the probe, and on the client's UPGRADE moves the
   * session onto it, ending the pending GET with a NOOP so the client's polling loop stops.
   */
  void probe(ServerWebSocket probing) {
    probing.textMessageHandler(text -> {
      if (closed) {
        probing.close();
      } else if (webSocket == probing) {
        receiveText(text);
      } else if ("2probe".equals(text)) {
        probing.writeTextMessage("3probe");
        flushPoll(true);
      } else if ("5".equals(text)) {
        flushPoll(true);
        List<String> waiting = new ArrayList<>(outbox);
        outbox.clear();
        outboxChars = 0;
        useWebSocket(probing);
        writer.write(waiting.stream().map(EncodedText::of).toArray(EncodedText[]::new));
      } else {
        probing.close();
      }
    });
    probing.closeHandler(gone -> {
      if (webSocket == probing) {
        close("transport close");
      }
    });
  }

  /** Closes the session: a WebSocket at once; on polling the next GET (or the pending one) gets CLOSE. */
  void close(String reason) {
    if (closed) {
      return;
    }
    if (webSocket == null) {
      send(EnginePacket.CLOSE);
    }
    closed = true;
    vertx.cancelTimer(pingTimer);
    vertx.cancelTimer(pongDeadline);
    if (webSocket != null) {
      webSocket.close();
      forget();
    } else if (outbox.isEmpty()) {
      forget();
    } else {
      // The client fetches the last packets (DISCONNECT, CLOSE) with its next GET, within a ping interval.
      forgetTimer = vertx.setTimer(options.pingInterval().plus(options.pingTimeout()).toMillis(), timer -> forget());
    }
    listener.onClose(reason);
  }

  private void useWebSocket(ServerWebSocket socket) {
    webSocket = socket;
    writer = EncodedTextWriter.of(socket, maxFrameBytes);
    writer.drainHandler(() -> {
      if (!closed) {
        listener.onWritable();
      }
    });
    socket.textMessageHandler(this::receiveText);
    socket.binaryMessageHandler(binary -> close("binary message"));
    socket.closeHandler(gone -> close("transport close"));
    socket.exceptionHandler(failure -> socket.close());
  }

  private void receiveText(String text) {
    try {
      receive(EnginePacket.decode(text));
    } catch (ContractException e) {
      close("parse error");
    }
  }

  private void receive(EnginePacket packet) {
    if (closed) {
      return;
    }
    switch (packet.type()) {
      case PONG -> {
        vertx.cancelTimer(pongDeadline);
        pongDeadline = -1;
        listener.onPong();
      }
      case MESSAGE -> listener.onMessage(packet.data());
      case CLOSE -> close("transport close");
      default -> {
        // OPEN, PING, UPGRADE and NOOP mean nothing from a client outside the probe: ignored, as Engine.IO does.
      }
    }
  }

  private void ping() {
    send(EnginePacket.PING);
    if (pongDeadline < 0) {
      pongDeadline = vertx.setTimer(options.pingTimeout().toMillis(), late -> close("ping timeout"));
    }
  }

  /** Answers the pending GET with everything waiting (and a NOOP when asked, to end it even if empty). */
  private void flushPoll(boolean noop) {
    if (pendingPoll == null || (outbox.isEmpty() && !noop)) {
      return;
    }
    List<String> packets = new ArrayList<>(outbox);
    if (noop) {
      packets.add(EnginePacket.NOOP.encode());
    }
    PollReply reply = pendingPoll;
    pendingPoll = null;
    if (!reply.reply(200, EnginePacket.encodePayload(packets))) {
      return;
    }
    outbox.clear();
    outboxChars = 0;
    if (closed) {
      forget();
    } else {
      listener.onWritable();
    }
  }

  private void forget() {
    vertx.cancelTimer(forgetTimer);
    onForgotten.run();
  }
}

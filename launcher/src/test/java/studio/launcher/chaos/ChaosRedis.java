package studio.launcher.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import studio.embedded.EmbeddedRedisServer;

/**
 * A real Redis server process of its own (the embedded one, a child of the test JVM), with the
 * faults the suite injects: FLUSHALL, and a pause (SIGSTOP, then SIGCONT) that freezes it with
 * every connection open, as a stalled or swapping server would.
 */
final class ChaosRedis implements AutoCloseable {
  private final EmbeddedRedisServer server;
  private final ProcessHandle process;

  private ChaosRedis(EmbeddedRedisServer server, ProcessHandle process) {
    this.server = server;
    this.process = process;
  }

  static ChaosRedis start() throws IOException {
    Set<Long> before = redisChildren().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    EmbeddedRedisServer server = EmbeddedRedisServer.start(null, 0);
    // The server is a child process of this JVM: the redis-server child that was not there before.
    List<ProcessHandle> started = redisChildren().stream().filter(child -> !before.contains(child.pid())).toList();
    if (started.size() != 1) {
      server.close();
      throw new IllegalStateException("expected one new redis-server child process, found " + started);
    }
    return new ChaosRedis(server, started.get(0));
  }

  String url() {
    return server.url();
  }

  long pid() {
    return process.pid();
  }

  /** {@code FLUSHALL}: every key (room offsets, epochs, history, sequences, idempotency keys, streams) is gone. */
  void flushAll() throws IOException {
    String reply = command("FLUSHALL");
    if (!"+OK".equals(reply)) {
      throw new IllegalStateException("FLUSHALL answered " + reply);
    }
  }

  /** One command on a connection of its own, as a worker with only Redis sends it; answers the reply's first line. */
  String command(String... arguments) throws IOException {
    return send(false, arguments);
  }

  /** The value of a command whose reply is one string ({@code GET}), or null for none. */
  String value(String... arguments) throws IOException {
    return send(true, arguments);
  }

  private String send(boolean value, String... arguments) throws IOException {
    StringBuilder request = new StringBuilder("*").append(arguments.length).append("\r\n");
    for (String argument : arguments) {
      request.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
          .append(argument).append("\r\n");
    }
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
      BufferedReader reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String first = reply.readLine();
      if (!value) {
        return first;
      }
      // A bulk string: "$<length>", then the value; "$-1" is none.
      return first == null || !first.startsWith("$") || first.equals("$-1") ? null : reply.readLine();
    }
  }

  /** Freezes the server for {@code pause} (SIGSTOP; this wait is the fault itself), then lets it go on (SIGCONT). */
  void pause(Duration pause) throws Exception {
    Signals.send(pid(), "STOP");
    try {
      Thread.sleep(pause.toMillis());
    } finally {
      Signals.send(pid(), "CONT");
    }
  }

  @Override
  public void close() throws IOException {
    Signals.sendQuietly(pid(), "CONT");
    server.close();
  }

  private static List<ProcessHandle> redisChildren() {
    return ProcessHandle.current().children()
        .filter(child -> child.info().command().map(command -> command.contains("redis")).orElse(false))
        .toList();
  }
}

package studio.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real Redis 6.2 server from the binary the embedded-redis jar ships. With a data directory it
 * keeps an append-only file there, so sequence numbers and history survive a restart.
 */
public final class EmbeddedRedisServer implements AutoCloseable {
  private final RedisServer redis;
  private final int port;

  private EmbeddedRedisServer(RedisServer redis, int port) {
    this.redis = redis;
    this.port = port;
  }

  /** Starts Redis bound to loopback; port 0 picks a free port. */
  public static EmbeddedRedisServer start(Path dataDirectory, int port) throws IOException {
    int chosen = port == 0 ? freePort() : port;
    var builder = RedisServer.newRedisServer()
        .port(chosen)
        .bind("127.0.0.1")
        .setting("save \"\"")
        .setting("maxmemory-policy noeviction")
        .onShutdownForceStop(true);
    if (dataDirectory != null) {
      Files.createDirectories(dataDirectory);
      builder.setting("dir " + dataDirectory.toAbsolutePath()).setting("appendonly yes");
    }
    RedisServer redis = builder.build();
    redis.start();
    return new EmbeddedRedisServer(redis, chosen);
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException {
    redis.stop();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}

package studio.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A TCP port nobody listens on now, for a server that cannot take port 0: several verticle
 * instances share one listening port only when it is named.
 */
public final class FreePort {
  private FreePort() {
  }

  public static int next() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package studio.launcher.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/cluster-local start} refuses ports that something already answers on, before launching anything. */
@Tag("system")
class ClusterLocalPortsTest {
  private static final int BASE_PORT = Integer.getInteger("studio.clusterLocal.basePort", 28000) + 1000;

  @TempDir
  Path directory;

  @Test
  @DisplayName("a port already in use (a leftover hub) stops start with a message naming it; nothing is launched")
  void refusesBusyPorts() throws Exception {
    Path state = directory.resolve("cluster");
    try (ServerSocket leftover = new ServerSocket(BASE_PORT + 21, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> ClusterLocal.start(state, BASE_PORT, Map.of()))
          .hasMessageContaining("ports already in use: " + (BASE_PORT + 21) + "(hub-2)");
    }
    try (var pids = Files.list(state.resolve("pids"))) {
      assertThat(pids).isEmpty();
    }
  }
}

package studio.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HeapSnapshotTest {
  private static final String IDLE = """
      12892:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:         10000         800000  [B (java.base@17.0.15)
         2:           100           4000  io.vertx.core.http.impl.WebSocketConnectionImpl
      Total         10100         804000
      """;
  private static final String HELD = """
      12892:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:         12000        1000000  [B (java.base@17.0.15)
         2:          1100          44000  io.vertx.core.http.impl.WebSocketConnectionImpl
         3:          2000        8200000  [Ljava.lang.Object; (java.base@17.0.15)
      Total         15100        9244000
      """;

  @Test
  @DisplayName("jcmd's class histogram rows are read by class name; the header and total lines are not classes")
  void parsesRows() {
    Map<String, HeapSnapshot.ClassCount> classes = HeapSnapshot.parse(IDLE);

    assertThat(classes).containsOnlyKeys("[B", "io.vertx.core.http.impl.WebSocketConnectionImpl");
    assertThat(classes.get("[B")).isEqualTo(new HeapSnapshot.ClassCount(10000, 800000));
  }

  @Test
  @DisplayName("per connection: the classes that grew most between the idle and the held snapshot, largest first")
  void growthPerConnection() {
    HeapSnapshot idle = new HeapSnapshot(1, 1, HeapSnapshot.parse(IDLE));
    HeapSnapshot held = new HeapSnapshot(1, 1, HeapSnapshot.parse(HELD));

    String rows = held.perConnectionByClass(idle, 1000, 2);

    assertThat(rows.lines().toList()).containsExactly(
        "       8200 B   2.00 x  [Ljava.lang.Object;",
        "        200 B   2.00 x  [B");
  }
}

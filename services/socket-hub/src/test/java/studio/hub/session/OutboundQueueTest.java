package studio.hub.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;
import studio.hub.broker.RoomFrame;

/** Conflation follows the event type's rule, built-in and custom types alike. */
class OutboundQueueTest {
  private static final RoomKey ROOM = RoomKey.parse("task:1");

  private static RoomFrame frame(long offset, String type) {
    String envelope = new JsonObject().put("sequence", offset).put("sequence_stream", "task:1").put("event_type", type)
        .put("payload", new JsonObject().put("n", offset)).encode();
    return new RoomFrame(ROOM, offset, "e1", Frames.event(ROOM.toString(), offset, "e1", envelope));
  }

  private static List<JsonObject> drain(OutboundQueue queue) {
    List<JsonObject> frames = new ArrayList<>();
    for (OutboundQueue.Outgoing next = queue.poll(); next != null; next = queue.poll()) {
      frames.add(new JsonObject(next.frame()));
    }
    return frames;
  }

  @Test
  @DisplayName("queued events of a custom .progress type are conflated to the newest, counting what it superseded")
  void customProgressConflated() {
    OutboundQueue queue = new OutboundQueue(1 << 20);
    for (long offset = 1; offset <= 5; offset++) {
      assertThat(queue.offer(frame(offset, "x.render.frame.progress"), 0)).isTrue();
    }
    List<JsonObject> frames = drain(queue);
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0).getLong(Frames.OFFSET)).isEqualTo(5);
    assertThat(frames.get(0).getInteger(Frames.CONFLATED)).isEqualTo(4);
  }

  @Test
  @DisplayName("the bound counts the bytes the transport still holds: one byte over it together is an overflow")
  void boundSharedWithTransport() {
    int size = frame(1, "node.task.completed").frame().length();
    OutboundQueue atBound = new OutboundQueue(2 * size);
    assertThat(atBound.offer(frame(1, "node.task.completed"), size)).as("exactly at the bound, together").isTrue();
    OutboundQueue over = new OutboundQueue(2 * size);
    assertThat(over.offer(frame(1, "node.task.completed"), size + 1)).as("one byte over it, together").isFalse();
    assertThat(new OutboundQueue(2 * size).offerReply("{}", 2L * size - 1)).as("replies count the same way").isFalse();
  }

  @Test
  @DisplayName("queued events of any other custom type are each delivered, in order")
  void otherCustomTypesKept() {
    OutboundQueue queue = new OutboundQueue(1 << 20);
    for (long offset = 1; offset <= 5; offset++) {
      queue.offer(frame(offset, "x.render.frame.done"), 0);
    }
    assertThat(drain(queue)).extracting(f -> f.getLong(Frames.OFFSET)).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  @DisplayName("a built-in conflatable type still conflates, a built-in other type does not")
  void builtInRulesUnchanged() {
    OutboundQueue queue = new OutboundQueue(1 << 20);
    queue.offer(frame(1, "node.task.updated"), 0);
    queue.offer(frame(2, "node.task.completed"), 0);
    queue.offer(frame(3, "node.task.updated"), 0);
    queue.offer(frame(4, "node.task.completed"), 0);
    assertThat(drain(queue)).extracting(f -> f.getLong(Frames.OFFSET)).containsExactly(2L, 3L, 4L);
  }
}

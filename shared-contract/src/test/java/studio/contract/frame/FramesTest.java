package studio.contract.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.error.ErrorCode;

/** Each builder writes the frame docs/protocol.md shows, field for field and in that order. */
class FramesTest {

  @Test
  @DisplayName("server frames encode as docs/protocol.md shows them")
  void serverFrames() {
    assertThat(Frames.connected("s1", 25000).encode())
        .isEqualTo("{\"op\":\"connected\",\"session_id\":\"s1\",\"contract_version\":\"v1\",\"ping_interval_ms\":25000}");
    assertThat(Frames.ack("1", new JsonObject().put("task:42", Frames.roomPosition(17, "e1", true))).encode())
        .isEqualTo("{\"op\":\"ack\",\"id\":\"1\",\"rooms\":{\"task:42\":{\"offset\":17,\"epoch\":\"e1\",\"recovered\":true}}}");
    assertThat(Frames.ack("2", new JsonObject().put("task:42", Frames.unsubscribed())).encode())
        .isEqualTo("{\"op\":\"ack\",\"id\":\"2\",\"rooms\":{\"task:42\":{\"subscribed\":false}}}");
    assertThat(Frames.pong("3").encode()).isEqualTo("{\"op\":\"pong\",\"id\":\"3\"}");
    assertThat(Frames.error(null, ErrorCode.FORBIDDEN_ROOM, "token does not grant run:7").encode())
        .isEqualTo("{\"op\":\"error\",\"id\":null,\"code\":\"forbidden_room\",\"message\":\"token does not grant run:7\"}");
    assertThat(Frames.draining(250).encode()).isEqualTo("{\"op\":\"draining\",\"retry_after_ms\":250}");
    assertThat(Frames.roomPosition(0, null, null).encode()).isEqualTo("{\"offset\":0,\"epoch\":null}");
  }

  @Test
  @DisplayName("the health ack carries the server's clock in milliseconds and ISO-8601, and the connection's facts")
  void healthAck() {
    ConnectionHealth health = new ConnectionHealth(Instant.parse("2026-11-23T10:00:00.123456Z"), "node-1", "s1",
        "sockjs", 2, 512, 1024, Instant.parse("2026-11-23T09:59:00.5Z"), Instant.parse("2026-11-23T10:15:00Z"));
    assertThat(Frames.healthAck("7", health).encode()).isEqualTo("{\"op\":\"ack\",\"id\":\"7\",\"health\":{"
        + "\"server_time_ms\":1795428000123,\"server_time\":\"2026-11-23T10:00:00.123Z\",\"node_id\":\"node-1\","
        + "\"session_id\":\"s1\",\"transport\":\"sockjs\",\"rooms_subscribed\":2,\"queued_bytes\":512,"
        + "\"queue_max_bytes\":1024,\"connected_since\":\"2026-11-23T09:59:00.500Z\","
        + "\"token_expires_at\":\"2026-11-23T10:15:00Z\",\"contract_version\":\"v1\"}}");
  }

  @Test
  @DisplayName("an event frame is the room header then the envelope, and conflation prefixes its count")
  void eventFrame() {
    String frame = Frames.event("task:42", 18, "e1", "{\"sequence\":5}");
    assertThat(frame).isEqualTo("{\"op\":\"event\",\"room\":\"task:42\",\"offset\":18,\"epoch\":\"e1\",\"event\":{\"sequence\":5}}");
    assertThat(new JsonObject(frame).getJsonObject(Frames.EVENT).getInteger("sequence")).isEqualTo(5);
    assertThat(Frames.conflated(frame, 3)).startsWith("{\"conflated\":3,\"op\":\"event\",");
    assertThat(Frames.opOf(new JsonObject(Frames.conflated(frame, 3)))).isEqualTo(FrameOp.EVENT);
  }

  @Test
  @DisplayName("client frames carry their op and fields; only client ops are accepted from a client")
  void clientFrames() {
    assertThat(Frames.subscribe(List.of("task:42"), new JsonObject().put("task:42", Frames.resumePoint(17, "e1"))).encode())
        .isEqualTo("{\"op\":\"subscribe\",\"rooms\":[\"task:42\"],\"since\":{\"task:42\":{\"offset\":17,\"epoch\":\"e1\"}}}");
    assertThat(Frames.unsubscribe(List.of("task:42")).getJsonArray(Frames.ROOMS)).isEqualTo(new JsonArray().add("task:42"));
    assertThat(Frames.auth("t").encode()).isEqualTo("{\"op\":\"auth\",\"token\":\"t\"}");
    assertThat(Frames.ping().encode()).isEqualTo("{\"op\":\"ping\"}");
    assertThat(FrameOp.fromClient("subscribe")).contains(FrameOp.SUBSCRIBE);
    assertThat(FrameOp.fromClient("event")).as("a server op sent by a client").isEmpty();
    assertThat(FrameOp.fromClient("SUBSCRIBE")).isEmpty();
    assertThat(FrameOp.clientOpNames()).isEqualTo("auth, subscribe, unsubscribe, ping, health");
    assertThat(Frames.health().encode()).isEqualTo("{\"op\":\"health\"}");
    assertThat(Frames.opOf(new JsonObject().put(Frames.OP, 7))).isNull();
  }
}

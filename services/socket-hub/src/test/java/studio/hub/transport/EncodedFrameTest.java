package studio.hub.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EncodedFrameTest {
  @Test
  void everySubscriberGetsItsOwnViewOfOneEncoding() {
    WebSocketTransport.EncodedFrame encoded = new WebSocketTransport.EncodedFrame();
    String frame = "{\"op\":\"event\",\"text\":\"caf\u00e9 \u2603\"}";

    ByteBuf first = encoded.of(frame).view();
    // What Netty's encoder does with a written frame: read it all, then release it.
    byte[] written = new byte[first.readableBytes()];
    first.readBytes(written);
    first.release();
    ByteBuf second = encoded.of(frame).view();

    assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(frame);
    assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo(frame);
    assertThat(second.readableBytes()).isEqualTo(frame.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void anotherFrameIsEncodedAfresh() {
    WebSocketTransport.EncodedFrame encoded = new WebSocketTransport.EncodedFrame();
    encoded.of("{\"op\":\"pong\"}");
    // Equal content in a different String still yields its own bytes (identity is only a shortcut).
    assertThat(encoded.of(new String("{\"op\":\"ack\"}")).view().toString(StandardCharsets.UTF_8)).isEqualTo("{\"op\":\"ack\"}");
  }
}

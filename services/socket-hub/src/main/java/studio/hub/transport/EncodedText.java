package studio.hub.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A text WebSocket message and its UTF-8 bytes, encoded once and then written to any number of sockets
 * (every subscriber of a room gets the same event). The bytes are never released (the garbage collector
 * frees them) and are only ever read through a {@link #view()} of their own: Netty's encoder reads a
 * written view and releases it, which frees nothing, so the bytes stay valid for the next writer and
 * may be written to several channels at once. The text is kept for Vert.x's public writes (the
 * fallback of {@link EncodedTextWriter}) and for transports that carry text (long-polling).
 */
public record EncodedText(String text, ByteBuf bytes) {

  public static EncodedText of(String text) {
    return new EncodedText(text,
        Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8))));
  }

  /** The bytes with a reader index of their own, for one write. */
  public ByteBuf view() {
    return bytes.duplicate();
  }
}

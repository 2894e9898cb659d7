package studio.contract.envelope;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for content that can outgrow an event ({@link DraftEvent#MAX_BODY_BYTES}): an event
 * carries a bounded preview, and the whole content is read over HTTP from the entity's read endpoint
 * (a chat thread's turns, a task's status). Producers apply it where they build a draft:
 *
 * <ul>
 *   <li>a free-text field (a prompt, an answer, an error, an output line) is cut to
 *       {@link #MAX_TEXT_BYTES}; when cut, {@code <field>_truncated: true} is set beside it;
 *   <li>a stream of pieces (output lines, streamed text) is split into events of at most
 *       {@link #MAX_BATCH_BYTES} each, so nothing is cut and the pieces add up to the whole.
 * </ul>
 *
 * <p>Sizes are upper bounds of the field's UTF-8 JSON encoding (escapes included), so a producer can
 * add them up: three previews and two runtime blocks stay well under the event limit.
 */
public final class Preview {
  /** Encoded size bound of one previewed text field. */
  public static final int MAX_TEXT_BYTES = 8 * 1024;
  /** Encoded size bound of the pieces (lines, text) one event of a stream carries. */
  public static final int MAX_BATCH_BYTES = 24 * 1024;
  public static final String TRUNCATED_SUFFIX = "_truncated";

  private Preview() {
  }

  /** Puts {@code text} under {@code field}, cut to {@link #MAX_TEXT_BYTES}, flagged when cut. */
  public static JsonObject putText(JsonObject target, String field, String text) {
    int end = text == null ? 0 : end(text, 0, MAX_TEXT_BYTES);
    if (text == null || end == text.length()) {
      return target.put(field, text);
    }
    return target.put(field, text.substring(0, end)).put(field + TRUNCATED_SUFFIX, true);
  }

  /** Consecutive pieces of {@code text}, each at most {@code maxBytes} encoded; together they are {@code text}. */
  public static List<String> chunks(String text, int maxBytes) {
    List<String> pieces = new ArrayList<>();
    for (int start = 0; start < text.length(); ) {
      int end = end(text, start, maxBytes);
      pieces.add(text.substring(start, end));
      start = end;
    }
    return pieces;
  }

  /** The encoded size of a JSON value, exactly: for whole objects such as a task's result. */
  public static int encodedBytes(JsonObject value) {
    return value == null ? 4 : value.encode().getBytes(StandardCharsets.UTF_8).length;
  }

  /** Where a piece starting at {@code from} ends so it encodes to at most {@code maxBytes}; at least one character. */
  private static int end(String text, int from, int maxBytes) {
    int bytes = 0;
    int i = from;
    while (i < text.length()) {
      char c = text.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
      int size = pair ? 4 : encodedSize(c);
      if (bytes + size > maxBytes && i > from) {
        break;
      }
      bytes += size;
      i += pair ? 2 : 1;
    }
    return i;
  }

  /** An upper bound of one character's bytes in UTF-8 JSON: escapes ({@code \"}, {@code \u0001}) included. */
  private static int encodedSize(char c) {
    if (c == '"' || c == '\\') {
      return 2;
    }
    if (c < 0x20 || Character.isSurrogate(c)) {
      return 6;
    }
    return c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
}

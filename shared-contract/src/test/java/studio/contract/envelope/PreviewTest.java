package studio.contract.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PreviewTest {
  private static int encoded(String text) {
    return Json.encode(text).getBytes(StandardCharsets.UTF_8).length - 2;
  }

  @Test
  @DisplayName("a text within the bound is put as it is, without a flag")
  void shortTextUntouched() {
    JsonObject target = Preview.putText(new JsonObject(), "prompt", "hello");
    assertThat(target).isEqualTo(new JsonObject().put("prompt", "hello"));
    assertThat(Preview.putText(new JsonObject(), "error", null).getValue("error")).isNull();
  }

  @Test
  @DisplayName("a longer text is cut to its leading part within MAX_TEXT_BYTES and flagged <field>_truncated")
  void longTextCutAndFlagged() {
    String text = "a".repeat(70_000);
    JsonObject target = Preview.putText(new JsonObject(), "prompt", text);
    assertThat(target.getBoolean("prompt_truncated")).isTrue();
    assertThat(target.getString("prompt")).hasSize(Preview.MAX_TEXT_BYTES);
    assertThat(text).startsWith(target.getString("prompt"));
  }

  @Test
  @DisplayName("the bound holds for text that encodes big: escapes, control characters, multi-byte and surrogate pairs")
  void boundHoldsForWideCharacters() {
    for (String unit : List.of("\"", "\u0001", "\n", "é", "€", "😀")) {
      String text = unit.repeat(30_000);
      String preview = Preview.putText(new JsonObject(), "line", text).getString("line");
      assertThat(encoded(preview)).as(unit).isLessThanOrEqualTo(Preview.MAX_TEXT_BYTES);
      assertThat(text).startsWith(preview);
      assertThat(Character.isHighSurrogate(preview.charAt(preview.length() - 1))).as("no half pair").isFalse();
    }
  }

  @Test
  @DisplayName("chunks split a text into consecutive pieces, each within the bound, that add up to the text")
  void chunksAddUp() {
    String text = "x".repeat(50_000) + "😀€\u0002".repeat(10_000);
    List<String> pieces = Preview.chunks(text, Preview.MAX_BATCH_BYTES);
    assertThat(String.join("", pieces)).isEqualTo(text);
    assertThat(pieces).allSatisfy(piece -> assertThat(encoded(piece)).isLessThanOrEqualTo(Preview.MAX_BATCH_BYTES));
    assertThat(pieces.size()).isGreaterThan(1);
    assertThat(Preview.chunks("", 10)).isEmpty();
  }
}

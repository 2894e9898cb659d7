package studio.downloadstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

class DownloadRequestTest {
  private static JsonObject oneFile(String url, String path) {
    return new JsonObject().put("files", new JsonArray().add(new JsonObject().put("url", url).put("path", path)));
  }

  @Test
  @DisplayName("an explicit file list is accepted with sizes, lower-cased digests and normalised paths")
  void explicitFiles() {
    String digest = "AB".repeat(32);
    DownloadRequest request = DownloadRequest.fromJson(new JsonObject().put("keep_partial", true).put("files",
        new JsonArray().add(new JsonObject().put("url", "https://example.com/a.bin").put("path", "models//x/./a.bin")
            .put("size", 10).put("sha256", digest))));
    assertThat(request.keepPartial()).isTrue();
    assertThat(request.files()).containsExactly(new FileSpec("https://example.com/a.bin", "models/x/a.bin", 10L,
        digest.toLowerCase()));
  }

  @Test
  @DisplayName("a HuggingFace repository gets revision main and a target directory named after the repo by default")
  void huggingFaceDefaults() {
    DownloadRequest request = DownloadRequest.fromJson(new JsonObject().put("huggingface",
        new JsonObject().put("repo_id", "org/model").put("patterns", new JsonArray().add("*.json"))));
    assertThat(request.huggingface()).isEqualTo(new HuggingFaceSpec("org/model", "main",
        List.of("*.json"), "huggingface/org/model"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc/passwd", "a/../../b", "/etc/passwd", "C:/x", "a\\b", "~/x", ".studio-downloads/1/0.part", "."})
  @DisplayName("targets that could leave the workspace are refused naming the field")
  void traversalRefused(String path) {
    assertThatThrownBy(() -> DownloadRequest.fromJson(oneFile("https://example.com/a", path)))
        .isInstanceOfSatisfying(ContractException.class, refused -> {
          assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
          assertThat(refused.field()).isEqualTo("files[0].path");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"file:///etc/passwd", "ftp://example.com/a", "jar:file:/x!/y", "example.com/a", "http:///nohost"})
  @DisplayName("only http and https URLs with a host are accepted")
  void schemeRefused(String url) {
    assertThatThrownBy(() -> DownloadRequest.fromJson(oneFile(url, "a.bin")))
        .isInstanceOfSatisfying(ContractException.class, refused -> assertThat(refused.field()).isEqualTo("files[0].url"));
  }

  @Test
  @DisplayName("both or neither of files and huggingface, duplicate paths and bad digests are refused")
  void shapeRefused() {
    assertThatThrownBy(() -> DownloadRequest.fromJson(new JsonObject())).isInstanceOf(ContractException.class);
    JsonObject twice = oneFile("https://example.com/a", "a.bin");
    twice.getJsonArray("files").add(new JsonObject().put("url", "https://example.com/b").put("path", "./a.bin"));
    assertThatThrownBy(() -> DownloadRequest.fromJson(twice)).hasMessageContaining("appears twice");
    JsonObject badDigest = oneFile("https://example.com/a", "a.bin");
    badDigest.getJsonArray("files").getJsonObject(0).put("sha256", "abc");
    assertThatThrownBy(() -> DownloadRequest.fromJson(badDigest)).hasMessageContaining("64 hexadecimal");
    assertThatThrownBy(() -> DownloadRequest.fromJson(new JsonObject().put("huggingface",
        new JsonObject().put("repo_id", "../x")))).hasMessageContaining("repo_id");
  }
}

package studio.downloadstore;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A HuggingFace-style repository to download: the download service lists its files at the
 * configured endpoint, keeps those matching {@code patterns} (all when empty) and stores them under
 * {@code targetDir}.
 */
public record HuggingFaceSpec(String repoId, String revision, List<String> patterns, String targetDir) {
  public static final String DEFAULT_REVISION = "main";

  public HuggingFaceSpec {
    patterns = List.copyOf(patterns);
  }

  public JsonObject toJson() {
    return new JsonObject().put("repo_id", repoId).put("revision", revision)
        .put("patterns", new JsonArray(patterns)).put("target_dir", targetDir);
  }

  public static HuggingFaceSpec fromJson(JsonObject json) {
    List<String> patterns = json.getJsonArray("patterns", new JsonArray()).stream().map(String::valueOf).toList();
    return new HuggingFaceSpec(json.getString("repo_id"), json.getString("revision", DEFAULT_REVISION), patterns,
        json.getString("target_dir"));
  }
}

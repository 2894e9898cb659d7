package studio.downloadstore;

import io.vertx.core.json.JsonObject;

/**
 * One file of a job: where it comes from, where it goes (relative to the download workspace,
 * already checked by {@link TargetPath}), and what it should be when known.
 */
public record FileSpec(String url, String path, Long size, String sha256) {

  public JsonObject toJson() {
    return new JsonObject().put("url", url).put("path", path).put("size", size).put("sha256", sha256);
  }
}

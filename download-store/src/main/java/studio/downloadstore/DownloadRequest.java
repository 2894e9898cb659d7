package studio.downloadstore;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * A validated {@code POST /api/v1/downloads} body: either an explicit file list or a HuggingFace
 * repository (exactly one), plus whether partial files survive a cancel. Every refusal is
 * {@code invalid_request} naming the field, so a bad URL scheme or an escaping path is a 400 at
 * submit time, not a failed job later.
 */
public record DownloadRequest(List<FileSpec> files, HuggingFaceSpec huggingface, boolean keepPartial) {
  public static final int MAX_FILES = 10_000;
  public static final int MAX_PATTERNS = 100;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?");
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,199}");

  public DownloadRequest {
    files = files == null ? List.of() : List.copyOf(files);
  }

  public static DownloadRequest fromJson(JsonObject body) {
    Object files = body.getValue("files");
    Object huggingface = body.getValue("huggingface");
    if ((files == null) == (huggingface == null)) {
      throw refuse(null, "give either \"files\" (a list of {url, path}) or \"huggingface\" ({repo_id, revision, patterns})");
    }
    boolean keepPartial = optionalBoolean(body, "keep_partial");
    return files != null
        ? new DownloadRequest(parseFiles(files), null, keepPartial)
        : new DownloadRequest(List.of(), parseHuggingFace(huggingface), keepPartial);
  }

  /** What the job row keeps as its {@code source}. */
  public JsonObject toSourceJson() {
    if (huggingface != null) {
      return new JsonObject().put("huggingface", huggingface.toJson());
    }
    JsonArray list = new JsonArray();
    files.forEach(file -> list.add(file.toJson()));
    return new JsonObject().put("files", list);
  }

  private static List<FileSpec> parseFiles(Object value) {
    if (!(value instanceof JsonArray array)) {
      throw refuse("files", "must be an array of {url, path, size?, sha256?}");
    }
    if (array.isEmpty() || array.size() > MAX_FILES) {
      throw refuse("files", "must hold 1-" + MAX_FILES + " files, got " + array.size());
    }
    List<FileSpec> files = new ArrayList<>();
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String field = "files[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject file)) {
        throw refuse(field, "must be an object {url, path, size?, sha256?}");
      }
      FileSpec spec = parseFile(file, field);
      if (!paths.add(spec.path())) {
        throw refuse(field + ".path", "\"" + spec.path() + "\" appears twice in this job");
      }
      files.add(spec);
    }
    return files;
  }

  /** One file entry; also used by the download service for files a HuggingFace listing produced. */
  public static FileSpec parseFile(JsonObject file, String field) {
    String url = SourceUrl.validate(string(file, "url", field), field + ".url").toString();
    String path = TargetPath.validate(string(file, "path", field), field + ".path");
    Object size = file.getValue("size");
    if (size != null && !(size instanceof Number number && number.longValue() >= 0 && number.doubleValue() % 1 == 0)) {
      throw refuse(field + ".size", "must be a non-negative integer");
    }
    String sha256 = string(file, "sha256", field);
    if (sha256 != null && !SHA256.matcher(sha256.toLowerCase()).matches()) {
      throw refuse(field + ".sha256", "must be 64 hexadecimal characters");
    }
    return new FileSpec(url, path, size == null ? null : ((Number) size).longValue(),
        sha256 == null ? null : sha256.toLowerCase());
  }

  private static HuggingFaceSpec parseHuggingFace(Object value) {
    if (!(value instanceof JsonObject hf)) {
      throw refuse("huggingface", "must be an object {repo_id, revision?, patterns?, target_dir?}");
    }
    String repoId = string(hf, "repo_id", "huggingface");
    if (repoId == null || !REPO_ID.matcher(repoId).matches()) {
      throw refuse("huggingface.repo_id", "must look like \"owner/name\" (letters, digits, '.', '_', '-')");
    }
    String revision = string(hf, "revision", "huggingface");
    if (revision != null && (!REVISION.matcher(revision).matches() || revision.contains(".."))) {
      throw refuse("huggingface.revision", "must be a branch, tag or commit (letters, digits, '.', '_', '-', '/')");
    }
    Object patterns = hf.getValue("patterns");
    if (patterns != null && !(patterns instanceof JsonArray list && list.size() <= MAX_PATTERNS
        && list.stream().allMatch(p -> p instanceof String text && !text.isBlank() && text.length() <= 200))) {
      throw refuse("huggingface.patterns", "must be a list of at most " + MAX_PATTERNS + " glob patterns such as \"*.json\"");
    }
    String targetDir = string(hf, "target_dir", "huggingface");
    targetDir = TargetPath.validate(targetDir == null ? "huggingface/" + repoId : targetDir, "huggingface.target_dir");
    List<String> globs = patterns == null ? List.of() : ((JsonArray) patterns).stream().map(String::valueOf).toList();
    return new HuggingFaceSpec(repoId, revision == null ? HuggingFaceSpec.DEFAULT_REVISION : revision, globs, targetDir);
  }

  private static String string(JsonObject json, String name, String parent) {
    Object value = json.getValue(name);
    if (value != null && !(value instanceof String)) {
      throw refuse(parent + "." + name, "must be a string");
    }
    return (String) value;
  }

  private static boolean optionalBoolean(JsonObject json, String name) {
    Object value = json.getValue(name);
    if (value != null && !(value instanceof Boolean)) {
      throw refuse(name, "must be true or false");
    }
    return Boolean.TRUE.equals(value);
  }

  private static ContractException refuse(String field, String message) {
    return new ContractException(ErrorCode.INVALID_REQUEST, field, message);
  }
}

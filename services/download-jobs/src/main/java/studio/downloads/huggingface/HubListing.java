package studio.downloads.huggingface;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import studio.downloads.job.Abort;
import studio.downloads.job.JobFailure;
import studio.downloads.transfer.HttpFetcher;
import studio.downloadstore.FileSpec;
import studio.downloadstore.HuggingFaceSpec;
import studio.downloadstore.TargetPath;

/**
 * Turns a HuggingFace-style repository into a file list, with the Hub's public HTTP API shape:
 * {@code GET {endpoint}/api/models/{repo}} (or {@code .../revision/{revision}} for anything but
 * {@code main}) with {@code blobs=true}, whose {@code siblings} name each file ({@code rfilename})
 * and, for LFS files, their size and SHA-256; each file is then fetched from
 * {@code {endpoint}/{repo}/resolve/{revision}/{file}}. Works against any mirror with that shape.
 */
public final class HubListing {
  private final HttpFetcher fetcher;
  private final URI endpoint;

  public HubListing(HttpFetcher fetcher, URI endpoint) {
    this.fetcher = fetcher;
    this.endpoint = endpoint;
  }

  public Future<List<FileSpec>> files(HuggingFaceSpec spec, Abort abort) {
    String listing = endpoint + "/api/models/" + spec.repoId()
        + (HuggingFaceSpec.DEFAULT_REVISION.equals(spec.revision()) ? "" : "/revision/" + encode(spec.revision()))
        + "?blobs=true";
    return fetcher.get(listing, 0, abort)
        .recover(failure -> Future.failedFuture(failure instanceof JobFailure
            ? new JobFailure("could not list " + spec.repoId() + "@" + spec.revision() + ": " + failure.getMessage())
            : failure))
        .compose(HttpFetcher::discard)
        .map(body -> select(spec, siblings(spec, body.toString())));
  }

  private static JsonArray siblings(HuggingFaceSpec spec, String body) {
    try {
      JsonArray siblings = new JsonObject(body).getJsonArray("siblings");
      if (siblings != null) {
        return siblings;
      }
    } catch (DecodeException | ClassCastException malformed) {
      // refused below
    }
    throw new JobFailure("the listing of " + spec.repoId() + " has no \"siblings\" array");
  }

  private List<FileSpec> select(HuggingFaceSpec spec, JsonArray siblings) {
    List<GlobPattern> patterns = spec.patterns().stream().map(GlobPattern::new).toList();
    List<FileSpec> files = new ArrayList<>();
    for (Object entry : siblings) {
      if (!(entry instanceof JsonObject sibling) || sibling.getString("rfilename") == null) {
        continue;
      }
      String name = sibling.getString("rfilename");
      if (!patterns.isEmpty() && patterns.stream().noneMatch(pattern -> pattern.matches(name))) {
        continue;
      }
      JsonObject lfs = sibling.getJsonObject("lfs");
      Long size = lfs != null && lfs.getLong("size") != null ? lfs.getLong("size") : sibling.getLong("size");
      String sha256 = lfs == null ? null : lfs.getString("sha256");
      String url = endpoint + "/" + spec.repoId() + "/resolve/" + encode(spec.revision()) + "/" + encodePath(name);
      files.add(new FileSpec(url, target(spec, name), size, sha256 == null ? null : sha256.toLowerCase()));
    }
    if (files.isEmpty()) {
      throw new JobFailure("no file of " + spec.repoId() + "@" + spec.revision()
          + (patterns.isEmpty() ? "" : " matches " + spec.patterns()));
    }
    return files;
  }

  private static String target(HuggingFaceSpec spec, String name) {
    try {
      return TargetPath.join(spec.targetDir(), name, "rfilename");
    } catch (RuntimeException refused) {
      throw new JobFailure("the repository lists an unsafe file name \"" + name + "\": " + refused.getMessage());
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String encodePath(String path) {
    return Arrays.stream(path.split("/")).map(HubListing::encode).collect(Collectors.joining("/"));
  }
}

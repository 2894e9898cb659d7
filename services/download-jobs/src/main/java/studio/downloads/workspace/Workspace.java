package studio.downloads.workspace;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import studio.contract.error.ContractException;
import studio.downloads.job.JobFailure;
import studio.downloadstore.TargetPath;

/**
 * The directory downloads land in. Targets are relative paths checked lexically on submit
 * ({@link TargetPath}); here, just before writing, every existing component under the root is also
 * checked not to be a symbolic link, so a link planted in the workspace cannot redirect a download
 * elsewhere. Partial files live in {@code <root>/.studio-downloads/<job>/<ordinal>.part}, on the
 * same file system as their targets, so the final rename is atomic.
 */
public final class Workspace {
  private final Vertx vertx;
  private final Path root;

  public Workspace(Vertx vertx, Path root) {
    this.vertx = vertx;
    this.root = root.toAbsolutePath().normalize();
  }

  public Future<Void> create() {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(root);
      return null;
    });
  }

  /** The absolute target of a relative path, with its parent directories created; refuses links and escapes. */
  public Future<Path> target(String relative) {
    return vertx.executeBlocking(() -> {
      String checked = lexicallySafe(relative);
      Path target = root.resolve(checked).normalize();
      if (!target.startsWith(root) || target.equals(root)) {
        throw new JobFailure("target \"" + relative + "\" is outside the download workspace");
      }
      Path current = root;
      for (Path part : root.relativize(target)) {
        current = current.resolve(part);
        if (Files.isSymbolicLink(current)) {
          throw new JobFailure("target \"" + relative + "\" goes through the symbolic link \"" + root.relativize(current)
              + "\"; downloads never follow links in the workspace");
        }
      }
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new JobFailure("target \"" + relative + "\" is an existing directory");
      }
      createParents(target, relative);
      return target;
    }, false);
  }

  public Path partial(long jobId, int ordinal) {
    return partials(jobId).resolve(ordinal + ".part");
  }

  public Future<Void> preparePartials(long jobId) {
    return vertx.fileSystem().mkdirs(partials(jobId).toString());
  }

  /** Deletes a job's partial files (after success, or on cancel and failure unless they are to be kept). */
  public Future<Void> removePartials(long jobId) {
    String dir = partials(jobId).toString();
    return vertx.fileSystem().exists(dir)
        .compose(exists -> exists ? vertx.fileSystem().deleteRecursive(dir) : Future.succeededFuture());
  }

  private Path partials(long jobId) {
    return root.resolve(TargetPath.RESERVED_DIR).resolve(Long.toString(jobId));
  }

  private static String lexicallySafe(String relative) {
    try {
      return TargetPath.validate(relative, "path");
    } catch (ContractException refused) {
      throw new JobFailure("target \"" + relative + "\" refused: " + refused.getMessage());
    }
  }

  private static void createParents(Path target, String relative) {
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new JobFailure("could not create the directory of \"" + relative + "\": " + e);
    }
  }
}

package studio.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The docs stand alone: every relative link and every repository path they quote resolves inside the
 * repository, and nothing points at files outside it.
 */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern CODE = Pattern.compile("`([^`\\s]+)`");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$");
  /** Directories outside the repository that notes were once kept in; built in two parts so this file is not a hit. */
  private static final List<String> OUTSIDE = List.of(".." + "/shared", "/work" + "/shared");
  /** Paths the docs name that exist only after a build or a copy (see .gitignore). */
  private static final List<String> GENERATED = List.of("target/", ".studio/", "node_modules/",
      "tests/browser/artifacts/", "deploy/k8s/secrets.env", ".env");

  @Test
  @DisplayName("every relative markdown link in the docs resolves to a file in the repository, and its #anchor to a heading")
  void relativeLinksResolve() {
    List<String> broken = new ArrayList<>();
    for (Path doc : docs()) {
      List<String> lines = Repository.read(doc).lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        Matcher link = LINK.matcher(lines.get(i));
        while (link.find()) {
          String problem = problem(doc, link.group(1));
          if (problem != null) {
            broken.add(where(doc, i) + " [..](" + link.group(1) + "): " + problem);
          }
        }
      }
    }
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  @DisplayName("every backticked repository path in the docs (`scripts/bench`, `services/web/...`) exists")
  void quotedPathsExist() {
    Set<String> topLevel = topLevelNames();
    List<String> missing = new ArrayList<>();
    for (Path doc : docs()) {
      List<String> lines = Repository.read(doc).lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        Matcher code = CODE.matcher(lines.get(i));
        while (code.find()) {
          String path = code.group(1).replaceFirst("[#:].*$", "").replaceFirst("/?\\.\\.\\.$", "");
          int slash = path.indexOf('/');
          if (slash > 0 && topLevel.contains(path.substring(0, slash)) && !generated(path) && !resolves(path)) {
            missing.add(where(doc, i) + " `" + code.group(1) + "`");
          }
        }
      }
    }
    assertThat(missing).as("quoted paths that do not exist").isEmpty();
  }

  @Test
  @DisplayName("no file in the repository refers to notes kept outside it")
  void nothingPointsOutside() {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Repository.ROOT)) {
      files.filter(Files::isRegularFile).filter(DocsLinksTest::sourceFile).forEach(file -> {
        String text = Repository.read(file);
        OUTSIDE.stream().filter(text::contains)
            .forEach(outside -> hits.add(Repository.ROOT.relativize(file) + " mentions " + outside));
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(hits).isEmpty();
  }

  /** docs/*.md, README.md, clients/js/README.md, deploy/**.md. */
  private static List<Path> docs() {
    List<Path> docs = new ArrayList<>(Repository.files("docs", ".md"));
    docs.add(Repository.path("README.md"));
    docs.add(Repository.path("clients/js/README.md"));
    docs.addAll(Repository.files("deploy", ".md"));
    return docs;
  }

  /** Null when the link is fine, else why not. External links are not fetched. */
  private static String problem(Path doc, String target) {
    if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
      return null;
    }
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
    if (!resolved.startsWith(Repository.ROOT)) {
      return "points outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
      return "no heading for #" + anchor + " in " + Repository.ROOT.relativize(resolved);
    }
    return null;
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
  static List<String> anchors(Path markdown) {
    List<String> anchors = new ArrayList<>();
    boolean fenced = false;
    for (String line : Repository.read(markdown).lines().toList()) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      }
      Matcher heading = HEADING.matcher(line);
      if (!fenced && heading.matches()) {
        String slug = heading.group(1).trim().toLowerCase(Locale.ROOT)
            .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        String unique = slug;
        for (int n = 1; anchors.contains(unique); n++) {
          unique = slug + "-" + n;
        }
        anchors.add(unique);
      }
    }
    return anchors;
  }

  /** A path, a glob ({@code tests/browser/*.test.mjs}) or one with elided folders ({@code launcher/.../MainTest}, extension optional). */
  private static boolean resolves(String path) {
    String pattern = path.replace("/.../", "/**/");
    if (!pattern.contains("*")) {
      return Files.exists(Repository.path(path));
    }
    PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    PathMatcher withExtension = FileSystems.getDefault().getPathMatcher("glob:" + pattern + ".*");
    try (Stream<Path> files = Files.walk(Repository.ROOT)) {
      return files.map(Repository.ROOT::relativize).anyMatch(file -> glob.matches(file) || withExtension.matches(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean generated(String path) {
    return GENERATED.stream().anyMatch(prefix -> path.equals(prefix) || path.startsWith(prefix)
        || path.contains("/" + prefix));
  }

  private static Set<String> topLevelNames() {
    try (Stream<Path> entries = Files.list(Repository.ROOT)) {
      return Set.copyOf(entries.map(entry -> entry.getFileName().toString()).filter(name -> !name.equals(".git"))
          .toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean sourceFile(Path file) {
    Path relative = Repository.ROOT.relativize(file);
    String name = relative.toString();
    return !name.startsWith(".git/") && !name.contains("/target/") && !name.startsWith("target/")
        && !name.contains("node_modules/") && !name.startsWith(".studio/")
        // Running the Python worker by hand leaves its bytecode here (.gitignore'd, not source).
        && !name.contains("__pycache__/")
        && !name.matches(".*\\.(png|jpg|jar|gz|zip|ico|woff2?|pyc)$");
  }

  private static String where(Path doc, int index) {
    return Repository.ROOT.relativize(doc) + ":" + (index + 1);
  }
}

package studio.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The repository's files as the deployment checks read them: text, YAML documents, listings. */
final class Repository {
  static final Path ROOT = Path.of(System.getProperty("studio.repository.root", "..")).toAbsolutePath().normalize();

  private Repository() {
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(String relative) {
    return read(path(relative));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ROOT.relativize(file), e);
    }
  }

  static List<String> lines(String relative) {
    return read(relative).lines().toList();
  }

  /** Every document of a (multi-document) YAML file, in order; empty documents are skipped. */
  static List<Tree> yamlDocuments(Path file) {
    List<Tree> documents = new ArrayList<>();
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(read(file))) {
      if (document != null) {
        documents.add(new Tree(document));
      }
    }
    return documents;
  }

  static Tree yaml(String relative) {
    List<Tree> documents = yamlDocuments(path(relative));
    if (documents.size() != 1) {
      throw new IllegalStateException(relative + " holds " + documents.size() + " YAML documents, expected one");
    }
    return documents.get(0);
  }

  /** Regular files under a directory whose names end with the suffix, sorted. */
  static List<Path> files(String directory, String suffix) {
    try (Stream<Path> walk = Files.walk(path(directory))) {
      return walk.filter(Files::isRegularFile).filter(file -> file.getFileName().toString().endsWith(suffix))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory, e);
    }
  }
}

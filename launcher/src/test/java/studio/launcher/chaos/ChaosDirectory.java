package studio.launcher.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the chaos suite keeps what outlives a run: {@code launcher/target/chaos} (surefire runs in the
 * module directory), with process logs under {@code logs/<test class>/}, data directories under
 * {@code data/<test class>/} and the figures of every case in {@code figures.md}.
 */
final class ChaosDirectory {
  static final Path ROOT = Path.of(System.getProperty("studio.chaos.dir", "target/chaos")).toAbsolutePath();
  static final Path LOGS = ROOT.resolve("logs");

  private ChaosDirectory() {
  }

  /** A fresh log directory for one test class (the previous run's logs of that class are removed). */
  static Path logs(Class<?> testClass) {
    return fresh(LOGS.resolve(testClass.getSimpleName()));
  }

  /** A fresh data directory for one test class. */
  static Path data(Class<?> testClass) {
    return fresh(ROOT.resolve("data").resolve(testClass.getSimpleName()));
  }

  static Path figures() {
    return ROOT.resolve("figures.md");
  }

  private static Path fresh(Path directory) {
    try {
      if (Files.exists(directory)) {
        try (Stream<Path> paths = Files.walk(directory)) {
          paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
      }
      return Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

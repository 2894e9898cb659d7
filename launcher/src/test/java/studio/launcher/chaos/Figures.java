package studio.launcher.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of a run (events or tasks per fault), rewritten as Markdown tables in
 * {@code target/chaos/figures.md} after every row: what docs/reliability.md quotes and
 * {@code scripts/test-chaos} prints.
 */
final class Figures {
  private static final Map<String, List<String>> TABLES = new LinkedHashMap<>();

  private Figures() {
  }

  /** Adds {@code row} to the table {@code title}, which has the columns of {@code header}. */
  static synchronized void row(String title, String header, String row) {
    TABLES.computeIfAbsent(title, key -> new ArrayList<>(List.of(header, separator(header)))).add(row);
    StringBuilder text = new StringBuilder();
    TABLES.forEach((name, rows) -> text.append("## ").append(name).append("\n\n")
        .append(String.join("\n", rows)).append("\n\n"));
    try {
      Path file = ChaosDirectory.figures();
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String separator(String header) {
    long columns = header.chars().filter(c -> c == '|').count() - 1;
    return "|" + " --- |".repeat((int) columns);
  }
}

package studio.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** .env.example: every knob, at its default, and no secret. */
class EnvExampleTest {
  private static final Pattern ASSIGNMENT = Pattern.compile("^(#\\s*)?([A-Z][A-Z0-9_]*)=(.*)$");
  /** A knob row of docs/configuration.md: | `NAME` | default | meaning | replaces |. */
  private static final Pattern DOCUMENTED_KNOB = Pattern.compile("^\\| `([A-Z][A-Z0-9_]*)` \\| ([^|]*) \\|");
  private static final Pattern KNOB_CONSTANT = Pattern.compile("\"(STUDIO_[A-Z0-9_]+)\"");
  /** Modules whose main code reads no deployment knob (test fixtures, the load generator). */
  private static final Set<String> NOT_DEPLOYED = Set.of("test-support", "bench", "embedded-stack");
  private static final Set<String> SECRETS = Set.of("JWT_SECRET_KEY", "WORKER_SHARED_SECRET", "POSTGRES_PASSWORD",
      "STUDIO_ADMIN_PASSWORD");

  private final List<String> lines = Repository.lines(".env.example");

  @Test
  @DisplayName("every knob of docs/configuration.md is listed, set or (when compose sets it) commented")
  void listsEveryDocumentedKnob() {
    assertThat(assignments(true).keySet()).containsAll(documentedDefaults().keySet());
  }

  @Test
  @DisplayName("every STUDIO_* knob the deployed code reads is listed, documented or not")
  void listsEveryKnobTheCodeReads() {
    assertThat(assignments(true).keySet()).containsAll(knobsInCode());
  }

  @Test
  @DisplayName("each value set is the documented default (except what production refuses at its default); "
      + "an empty value leaves a computed default in place")
  void valuesAreDefaults() {
    Map<String, String> defaults = documentedDefaults();
    assignments(false).forEach((knob, value) -> {
      if (!value.isEmpty() && defaults.containsKey(knob) && !ProductionAccess.SET_FOR_PRODUCTION.contains(knob)) {
        assertThat(literalDefault(defaults.get(knob))).as(knob + " default (" + defaults.get(knob) + ")")
            .isEqualTo(value);
      }
    });
  }

  @Test
  @DisplayName("the secrets are listed and empty, so a copied file holds none and compose refuses to start")
  void secretsAreEmpty() {
    Map<String, String> set = assignments(false);
    SECRETS.forEach(secret -> assertThat(set).as(secret).containsEntry(secret, ""));
    assertThat(Repository.lines(".gitignore")).contains(".env");
  }

  @Test
  @DisplayName("nothing in it runs production open: no auth mode none, no origin *, set or commented")
  void shipsNoOpenSetting() {
    Map<String, String> all = assignments(true);
    assertThat(all).containsKeys(ProductionAccess.AUTH_MODE, ProductionAccess.ORIGINS);
    ProductionAccess.assertMode(".env.example", all.get(ProductionAccess.AUTH_MODE).split("\\s")[0]);
    ProductionAccess.assertOrigins(".env.example", assignments(false).get(ProductionAccess.ORIGINS));
    lines.stream().filter(line -> ASSIGNMENT.matcher(line.trim()).matches())
        .filter(line -> line.contains(ProductionAccess.AUTH_MODE + "=") || line.contains(ProductionAccess.ORIGINS + "="))
        .forEach(line -> assertThat(line).as(".env.example").doesNotContain("=none").doesNotContain("*"));
  }

  private Map<String, String> assignments(boolean includeCommented) {
    return assignments(lines, includeCommented);
  }

  /** NAME -> value of every NAME=value line; commented ones only when asked. */
  static Map<String, String> assignments(List<String> lines, boolean includeCommented) {
    Map<String, String> found = new LinkedHashMap<>();
    for (String line : lines) {
      Matcher matcher = ASSIGNMENT.matcher(line.trim());
      if (matcher.matches() && (includeCommented || matcher.group(1) == null)) {
        found.put(matcher.group(2), matcher.group(3).trim());
      }
    }
    return found;
  }

  /** Knob -> default cell of the tables under "## Knobs" (the old stack's table after it is not ours). */
  private static Map<String, String> documentedDefaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    boolean inKnobs = false;
    for (String line : Repository.lines("docs/configuration.md")) {
      if (line.startsWith("## ")) {
        inKnobs = line.equals("## Knobs");
      }
      Matcher matcher = DOCUMENTED_KNOB.matcher(line);
      if (inKnobs && matcher.find()) {
        defaults.put(matcher.group(1), matcher.group(2).trim());
      }
    }
    assertThat(defaults).as("knob rows in docs/configuration.md").isNotEmpty();
    return defaults;
  }

  /** The literal a default cell starts with ({@code `25s`} -> 25s), or null for a computed default. */
  private static String literalDefault(String cell) {
    Matcher literal = Pattern.compile("^`([^`<]*)`").matcher(cell);
    return literal.find() ? literal.group(1) : null;
  }

  private static Set<String> knobsInCode() {
    Set<String> knobs = new TreeSet<>();
    Repository.files(".", ".java").stream()
        .filter(file -> file.toString().contains("/src/main/java/"))
        .filter(file -> NOT_DEPLOYED.stream().noneMatch(module -> Repository.ROOT.relativize(file).startsWith(module)))
        .map(Path::toString)
        .forEach(file -> {
          Matcher matcher = KNOB_CONSTANT.matcher(Repository.read(Path.of(file)));
          while (matcher.find()) {
            knobs.add(matcher.group(1));
          }
        });
    assertThat(knobs).as("STUDIO_* constants in main code").isNotEmpty();
    return knobs;
  }
}

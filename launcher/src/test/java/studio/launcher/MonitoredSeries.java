package studio.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The series the shipped monitoring reads (deploy/monitoring): every metric name in the PromQL of the
 * Grafana dashboard's panels and of the Prometheus alert rules, and the names a scrape exposes.
 */
final class MonitoredSeries {
  static final Path MONITORING = Path.of("..", "deploy", "monitoring");
  static final Path DASHBOARD = MONITORING.resolve("grafana/dashboards/studio-runtime.json");
  static final Path RULES = MONITORING.resolve("prometheus/alerts.yml");

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\$\\w+");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
      "ignoring", "group_left", "group_right", "inf", "nan");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

  private MonitoredSeries() {
  }

  /** The metric names one PromQL expression reads: identifiers that are neither functions nor keywords. */
  static Set<String> metricNames(String promql) {
    String bare = STRING.matcher(promql).replaceAll(" ");
    bare = MATCHERS.matcher(bare).replaceAll(" ");
    bare = RANGE.matcher(bare).replaceAll(" ");
    bare = GROUPING.matcher(bare).replaceAll(" ");
    bare = TEMPLATE_VARIABLE.matcher(bare).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher identifier = IDENTIFIER.matcher(bare);
    while (identifier.find()) {
      String name = identifier.group();
      boolean function = bare.substring(identifier.end()).stripLeading().startsWith("(");
      boolean number = identifier.start() > 0 && Character.isDigit(bare.charAt(identifier.start() - 1));
      if (!function && !number && !KEYWORDS.contains(name.toLowerCase())) {
        names.add(name);
      }
    }
    return names;
  }

  /** Each panel target's and each rule's expression, keyed by where it is (for the failure message). */
  static Map<String, String> expressions() throws IOException {
    Map<String, String> expressions = new LinkedHashMap<>();
    panels(new JsonObject(Files.readString(DASHBOARD)).getJsonArray("panels"), expressions);
    Map<String, Object> rules = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(RULES));
    for (Object group : (List<?>) rules.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        Map<?, ?> fields = (Map<?, ?>) rule;
        expressions.put("alert " + fields.get("alert"), String.valueOf(fields.get("expr")));
      }
    }
    return expressions;
  }

  private static void panels(JsonArray panels, Map<String, String> expressions) {
    for (Object item : panels == null ? new JsonArray() : panels) {
      JsonObject panel = (JsonObject) item;
      panels(panel.getJsonArray("panels"), expressions);
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int i = 0; i < targets.size(); i++) {
        expressions.put("panel \"" + panel.getString("title") + "\" target " + i,
            targets.getJsonObject(i).getString("expr"));
      }
    }
  }

  /** The series names of a Prometheus text scrape (histograms as their _bucket, _count and _sum series). */
  static Set<String> scraped(String scrape) {
    Set<String> names = new TreeSet<>();
    scrape.lines().map(SAMPLE::matcher).filter(Matcher::find).forEach(sample -> names.add(sample.group(1)));
    return names;
  }
}

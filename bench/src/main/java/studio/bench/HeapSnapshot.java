package studio.bench;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hub's memory at one moment: live heap after a full GC, RSS, and the live objects by class
 * ({@code jcmd GC.class_histogram}, which collects first). Two snapshots, idle and with N clients
 * held, say what one connection costs and which classes it is made of.
 */
record HeapSnapshot(long liveHeapKiB, long rssKiB, Map<String, ClassCount> classes) {
  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  record ClassCount(long instances, long bytes) {
  }

  /** One full GC: the histogram's, after which the heap in use is the live heap. */
  static HeapSnapshot of(long pid) throws Exception {
    Map<String, ClassCount> classes = parse(ServerFigures.jcmd(pid, "GC.class_histogram"));
    return new HeapSnapshot(ServerFigures.heapUsedKiB(pid), ServerFigures.rssKiB(pid), classes);
  }

  static Map<String, ClassCount> parse(String histogram) {
    Map<String, ClassCount> classes = new HashMap<>();
    for (String line : histogram.split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        classes.merge(row.group(3), new ClassCount(Long.parseLong(row.group(1)), Long.parseLong(row.group(2))),
            (a, b) -> new ClassCount(a.instances() + b.instances(), a.bytes() + b.bytes()));
      }
    }
    return classes;
  }

  /** The {@code top} classes that grew most from {@code idle} to this snapshot, per connection held. */
  String perConnectionByClass(HeapSnapshot idle, long held, int top) {
    record Growth(String name, long instances, long bytes) {
    }
    List<Growth> growth = classes.entrySet().stream()
        .map(entry -> {
          ClassCount before = idle.classes().getOrDefault(entry.getKey(), new ClassCount(0, 0));
          return new Growth(entry.getKey(), entry.getValue().instances() - before.instances(),
              entry.getValue().bytes() - before.bytes());
        })
        .sorted(Comparator.comparingLong(Growth::bytes).reversed())
        .limit(top).toList();
    StringBuilder out = new StringBuilder();
    for (Growth row : growth) {
      out.append(String.format(Locale.ROOT, "    %7.0f B %6.2f x  %s%n", (double) row.bytes() / held,
          (double) row.instances() / held, row.name()));
    }
    return out.toString();
  }
}

package studio.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed YAML value navigated by dotted keys ({@code spec.template.spec}); a missing key yields an
 * absent tree rather than an exception, so assertions name what is missing.
 */
record Tree(Object value) {

  Tree get(String dottedPath) {
    Object current = value;
    for (String key : dottedPath.split("\\.")) {
      current = current instanceof Map<?, ?> map ? map.get(key) : null;
    }
    return new Tree(current);
  }

  boolean present() {
    return value != null;
  }

  String string() {
    return value == null ? null : String.valueOf(value);
  }

  Optional<String> optionalString() {
    return Optional.ofNullable(string());
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> map() {
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  /** A list's items, or nothing when the value is absent or not a list. */
  List<Tree> items() {
    return value instanceof List<?> list ? list.stream().map(Tree::new).toList() : List.of();
  }

  /** A list of scalars as strings. */
  List<String> strings() {
    return items().stream().map(Tree::string).toList();
  }

  /** A mapping of scalars as strings (labels, selectors, annotations). */
  Map<String, String> stringMap() {
    LinkedHashMap<String, String> strings = new LinkedHashMap<>();
    map().forEach((key, item) -> strings.put(key, item == null ? null : String.valueOf(item)));
    return strings;
  }
}

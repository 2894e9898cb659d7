package studio.hub.ingress;

import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/** Reads Redis field lists the same way whether the connection speaks RESP2 (flat arrays) or RESP3 (maps). */
final class StreamFields {
  private StreamFields() {
  }

  /** The value of {@code name}, or null. */
  static String value(Response fields, String name) {
    Response value = fields == null || !fields.containsKey(name) ? null : fields.get(name);
    return value == null ? null : value.toString();
  }

  /** Every field and value, alternating, in the order Redis gave them. */
  static List<String> pairs(Response fields) {
    List<String> pairs = new ArrayList<>();
    if (fields == null) {
      return pairs;
    }
    if (fields.isMap()) {
      fields.getKeys().forEach(key -> {
        pairs.add(key);
        pairs.add(String.valueOf(fields.get(key)));
      });
      return pairs;
    }
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      pairs.add(String.valueOf(fields.get(i)));
      pairs.add(String.valueOf(fields.get(i + 1)));
    }
    return pairs;
  }
}

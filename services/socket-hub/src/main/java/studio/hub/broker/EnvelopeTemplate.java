package studio.hub.broker;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import studio.contract.envelope.DraftEvent;
import studio.contract.envelope.Envelope;

/**
 * An envelope encoded around its one unknown, the sequence, which only the broker's atomic step
 * assigns: {@code prefix + sequence + suffix} is the envelope's JSON. This keeps JSON parsing out of
 * the Redis script and encodes each event exactly once.
 */
record EnvelopeTemplate(String prefix, String suffix, UUID eventId, Instant emittedAt) {

  static EnvelopeTemplate of(DraftEvent draft) {
    UUID eventId = UUID.randomUUID();
    Instant emittedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    JsonObject full = Envelope.sequenced(draft, eventId, 1, emittedAt).toJson();
    JsonObject head = new JsonObject();
    JsonObject tail = new JsonObject();
    boolean beforeSequence = true;
    for (String field : full.fieldNames()) {
      if (field.equals("sequence")) {
        beforeSequence = false;
      } else if (beforeSequence) {
        head.put(field, full.getValue(field));
      } else {
        tail.put(field, full.getValue(field));
      }
    }
    String headJson = head.encode();
    String tailJson = tail.encode();
    return new EnvelopeTemplate(headJson.substring(0, headJson.length() - 1) + ",\"sequence\":",
        "," + tailJson.substring(1), eventId, emittedAt);
  }

  String render(long sequence) {
    return prefix + sequence + suffix;
  }
}

package studio.launcher.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * What one client received in one room, held against what was published into it (every publish
 * after the client subscribed): counted (published, accepted, refused, delivered, lost, duplicated)
 * and checked (nothing accepted lost, nothing twice, nothing that was never published, offsets
 * contiguous, in the hub's sequence order).
 */
final class Delivery {
  private final String client;
  private final List<JsonObject> frames;
  private final List<RoomPublisher.Outcome> published;

  private Delivery(String client, List<JsonObject> frames, List<RoomPublisher.Outcome> published) {
    this.client = client;
    this.frames = frames;
    this.published = published;
  }

  /** {@code frames}: the client's event frames of the room, in arrival order. */
  static Delivery of(String client, List<JsonObject> frames, List<RoomPublisher.Outcome> published) {
    return new Delivery(client, List.copyOf(frames), List.copyOf(published));
  }

  static int number(JsonObject frame) {
    return frame.getJsonObject("event").getJsonObject("payload").getInteger("n");
  }

  int delivered() {
    return frames.size();
  }

  int duplicated() {
    return frames.size() - (int) frames.stream().map(Delivery::number).distinct().count();
  }

  /** Accepted publishes (answered 2xx) that never reached the client. */
  List<Integer> lost() {
    Set<Integer> received = frames.stream().map(Delivery::number).collect(Collectors.toSet());
    return published.stream().filter(RoomPublisher.Outcome::accepted).map(RoomPublisher.Outcome::n)
        .filter(n -> !received.contains(n)).toList();
  }

  /** Publishes the publisher saw fail (5xx, timeout) that were applied all the same. */
  long appliedThoughRefused() {
    Set<Integer> refused = published.stream().filter(outcome -> !outcome.accepted()).map(RoomPublisher.Outcome::n)
        .collect(Collectors.toSet());
    return frames.stream().map(Delivery::number).filter(refused::contains).distinct().count();
  }

  /**
   * Exactly once and in order: no accepted publish lost, none twice, none invented; offsets
   * {@code from + 1 ...} without a gap; each frame the envelope its publish was answered with, in
   * increasing sequence.
   */
  Delivery assertExactlyOnceInOrder(long from) {
    assertThat(lost()).as("%s: accepted publishes never delivered", client).isEmpty();
    assertThat(duplicated()).as("%s: events delivered twice", client).isZero();
    Map<Integer, RoomPublisher.Outcome> byNumber = published.stream()
        .collect(Collectors.toMap(RoomPublisher.Outcome::n, Function.identity()));
    assertThat(frames).extracting(Delivery::number).as("%s: delivered events that were never published", client)
        .allMatch(byNumber::containsKey);
    assertThat(frames).extracting(frame -> frame.getLong("offset")).as("%s: offsets", client)
        .containsExactlyElementsOf(LongStream.rangeClosed(from + 1, from + frames.size()).boxed().toList());
    assertThat(frames).extracting(frame -> frame.getJsonObject("event").getLong("sequence"))
        .as("%s: sequence order", client).isSorted().doesNotHaveDuplicates();
    assertThat(frames).noneMatch(frame -> frame.containsKey("conflated"));
    for (JsonObject frame : frames) {
      RoomPublisher.Outcome outcome = byNumber.get(number(frame));
      if (outcome.accepted()) {
        assertThat(frame.getJsonObject("event").getString("event_id")).as("%s: event %d", client, outcome.n())
            .isEqualTo(outcome.eventId());
      }
    }
    return this;
  }

  /** Appends this client's figures to {@code target/chaos/figures.md}, the source of docs/reliability.md's table. */
  Delivery record(String fault) {
    long accepted = published.stream().filter(RoomPublisher.Outcome::accepted).count();
    Figures.row("Events", "| Fault | Client | Published | Accepted (2xx) | Refused (5xx/timeout) | Delivered "
            + "| Of them refused but applied | Lost | Duplicated |",
        String.format("| %s | %s | %d | %d | %d | %d | %d | %d | %d |", fault, client, published.size(), accepted,
            published.size() - accepted, delivered(), appliedThoughRefused(), lost().size(), duplicated()));
    return this;
  }
}

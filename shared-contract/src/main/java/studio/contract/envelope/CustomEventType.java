package studio.contract.envelope;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A worker's own event type: {@code x.<namespace>.<name>}, more dot-separated segments allowed
 * ({@code x.render.frame.done}). Each segment starts with a lowercase letter, then lowercase letters,
 * digits or {@code _}; at most {@value #MAX_LENGTH} characters in all. The {@code x.} prefix keeps
 * custom types apart from the built-in ones for good: no built-in type will ever start with it.
 *
 * <p>A custom type whose last segment is {@code progress} ({@code x.render.frame.progress}) is
 * conflatable: its events must each carry the entity's whole current progress, since a lagging
 * client may receive only the newest. Every other custom type is delivered event by event.
 */
public record CustomEventType(String wire) implements EventTypeName {
  public static final String PREFIX = "x.";
  public static final String CONFLATABLE_SUFFIX = ".progress";
  public static final int MAX_LENGTH = 100;
  /** What a custom type must look like, in words, for refusals. */
  public static final String GRAMMAR = "x.<namespace>.<name>: two or more dot-separated segments after \"x.\", each a "
      + "lowercase letter then lowercase letters, digits or '_', at most " + MAX_LENGTH + " characters";
  private static final Pattern SEGMENTS = Pattern.compile("x(\\.[a-z][a-z0-9_]*){2,}");

  public CustomEventType {
    if (!isValid(wire)) {
      throw new IllegalArgumentException("custom event type \"" + wire + "\" must be " + GRAMMAR);
    }
  }

  @Override
  public boolean conflatable() {
    return wire.endsWith(CONFLATABLE_SUFFIX);
  }

  /** The custom type {@code wire} spells, or empty when it is not one. */
  public static Optional<CustomEventType> parse(String wire) {
    return isValid(wire) ? Optional.of(new CustomEventType(wire)) : Optional.empty();
  }

  /** Whether {@code wire} claims to be a custom type (so a malformed one is refused as such). */
  static boolean claims(String wire) {
    return wire != null && wire.startsWith(PREFIX);
  }

  private static boolean isValid(String wire) {
    return wire != null && wire.length() <= MAX_LENGTH && SEGMENTS.matcher(wire).matches();
  }
}

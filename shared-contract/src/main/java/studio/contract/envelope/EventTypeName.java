package studio.contract.envelope;

import java.util.Optional;

/**
 * An event's {@code event_type}: one of the v1 built-in types ({@link EventType}), or a worker's
 * namespaced custom type ({@link CustomEventType}), so a new worker needs no new hub build. Both
 * travel, are validated and are delivered alike; a client ignores the types it does not know.
 */
public sealed interface EventTypeName permits EventType, CustomEventType {
  String wire();

  /**
   * Whether the type describes the latest state of its entity (progress-like), so a lagging
   * connection may keep only the newest one per entity and room instead of every intermediate.
   */
  boolean conflatable();

  /** The built-in type named {@code wire}, else the custom type it spells; empty for anything else. */
  static Optional<EventTypeName> fromWire(String wire) {
    return EventType.fromWire(wire).<EventTypeName>map(type -> type)
        .or(() -> CustomEventType.parse(wire));
  }
}

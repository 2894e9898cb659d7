package studio.hub.broker;

import java.util.List;
import studio.contract.envelope.Envelope;

/**
 * The result of a publish: the sequenced envelope, its JSON as the broker stored and sent it (so an
 * ingress answers with those bytes instead of encoding the envelope again), and its place in each
 * room. {@code duplicate} means the idempotency key was seen within the window and this is the first
 * publish's result.
 */
public record Publication(Envelope envelope, String envelopeJson, List<RoomFrame> rooms, boolean duplicate) {
  public Publication {
    rooms = List.copyOf(rooms);
  }
}

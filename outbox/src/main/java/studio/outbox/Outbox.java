package studio.outbox;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import studio.contract.envelope.DraftEvent;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;

/**
 * The write side of the transactional outbox. Call {@link #append} with the same connection (inside
 * the same transaction) that changes the entity's state, so the event exists exactly when the
 * change does.
 */
public final class Outbox {
  private Outbox() {
  }

  /**
   * Records a draft for the relay. The draft must carry the entity's version after this change, so a
   * page that hydrated at that version (or later) ignores the event, and must pass every draft rule
   * (size limit included): a draft the hub would refuse fails the producer's transaction here rather
   * than being stored as a row that can never be published.
   */
  public static Future<Long> append(SqlClient transaction, DraftEvent draft) {
    if (draft.entityVersion() == null) {
      return Future.failedFuture(new ContractException(ErrorCode.INVALID_DRAFT, "entity_version",
          "outbox events describe a state change and must carry the entity's new version"));
    }
    try {
      draft.validate();
    } catch (ContractException refused) {
      return Future.failedFuture(refused);
    }
    return transaction.preparedQuery("INSERT INTO outbox (draft) VALUES ($1) RETURNING id")
        .execute(Tuple.of(draft.toJson()))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** The idempotency key the relay publishes a row with, unless the draft has its own. */
  static String idempotencyKey(long id) {
    return "outbox:" + id;
  }
}

package studio.outbox;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
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
    try {
      check(draft);
    } catch (ContractException refused) {
      return Future.failedFuture(refused);
    }
    return transaction.preparedQuery("INSERT INTO outbox (draft) VALUES ($1) RETURNING id")
        .execute(Tuple.of(draft.toJson()))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /**
   * As {@link #append}, for several drafts in one multi-row insert (one round trip): the rows get
   * ids in the order of {@code drafts}, so the relay publishes them in that order. If one draft breaks
   * a rule, none is recorded.
   */
  public static Future<List<Long>> appendAll(SqlClient transaction, List<DraftEvent> drafts) {
    JsonArray rows = new JsonArray();
    try {
      for (DraftEvent draft : drafts) {
        check(draft);
        rows.add(draft.toJson());
      }
    } catch (ContractException refused) {
      return Future.failedFuture(refused);
    }
    if (drafts.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    // The serial default is drawn row by row in the SELECT's order, which ORDER BY pins to the list's.
    return transaction.preparedQuery("""
            INSERT INTO outbox (draft)
            SELECT draft FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS d(draft, position) ORDER BY position
            RETURNING id""")
        .execute(Tuple.of(rows))
        .map(inserted -> {
          List<Long> ids = new ArrayList<>();
          inserted.forEach(row -> ids.add(row.getLong("id")));
          ids.sort(null);
          return ids;
        });
  }

  private static void check(DraftEvent draft) {
    if (draft.entityVersion() == null) {
      throw new ContractException(ErrorCode.INVALID_DRAFT, "entity_version",
          "outbox events describe a state change and must carry the entity's new version");
    }
    draft.validate();
  }

  /** The idempotency key the relay publishes a row with, unless the draft has its own. */
  static String idempotencyKey(long id) {
    return "outbox:" + id;
  }
}

package studio.taskstore;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * A run locked for the rest of a transaction, with what was last announced of it (status and node
 * set). Each event about the run takes the next version; {@link #save} writes them back once.
 */
final class AutorunState {
  final long id;
  String status;
  JsonArray nodes;
  long version;
  private boolean dirty;

  AutorunState(Row row) {
    this.id = row.getLong("id");
    this.status = row.getString("status");
    this.nodes = (JsonArray) row.getValue("nodes");
    this.version = row.getLong("version");
  }

  /** Nothing of the run was announced yet: its first refresh announces both status and nodes. */
  boolean unannounced() {
    return version == 0;
  }

  long nextVersion() {
    dirty = true;
    return ++version;
  }

  Future<Void> save(SqlClient tx) {
    if (!dirty) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("""
            UPDATE autorun SET status = $2, nodes = $3, version = $4, updated_at = now(),
              finished_at = CASE WHEN $5 THEN COALESCE(finished_at, now()) ELSE NULL END
            WHERE id = $1""")
        .execute(Tuple.of(id, status, nodes, version, AutorunStatus.terminal(status)))
        .mapEmpty();
  }
}

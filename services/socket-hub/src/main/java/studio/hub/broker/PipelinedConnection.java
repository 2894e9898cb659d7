package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection that every command is pipelined on, reopened on first use after it drops.
 * Publishing is one short script per event, so a single pipelined connection carries more of them,
 * with less latency, than borrowing pooled connections per command.
 */
final class PipelinedConnection {
  private final Redis client;
  private Future<RedisConnection> connection;

  PipelinedConnection(Redis client) {
    this.client = client;
  }

  Future<Response> send(Request request) {
    if (connection == null || connection.failed()) {
      Future<RedisConnection> opening = client.connect();
      connection = opening;
      opening.onSuccess(opened -> {
        opened.exceptionHandler(failure -> forget(opening));
        opened.endHandler(ended -> forget(opening));
      });
    }
    return connection.compose(opened -> opened.send(request));
  }

  Future<Void> close() {
    Future<RedisConnection> current = connection;
    connection = null;
    return current == null || current.failed() ? Future.succeededFuture()
        : current.compose(RedisConnection::close).otherwiseEmpty().mapEmpty();
  }

  /**
   * Closed as well as forgotten: a Cluster connection holds one pooled connection per node, and one
   * node failing must hand the others back to their pools (else every failover leaks them until
   * the pools are empty and the next connect waits forever).
   */
  private void forget(Future<RedisConnection> dropped) {
    if (connection == dropped) {
      connection = null;
      dropped.result().close();
    }
  }
}

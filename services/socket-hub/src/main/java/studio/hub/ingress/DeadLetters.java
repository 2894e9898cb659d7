package studio.hub.ingress;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.RedisStreams;
import studio.hub.metrics.HubMetrics;

/**
 * Parks ingress entries that can never be published in {@link RedisStreams#INGRESS_DEAD_LETTERS}:
 * the entry's own fields, then its id, the reason and its delivery count, so an operator can read
 * why and re-add the draft. The caller acknowledges the entry only after this succeeded, so an
 * entry is never both gone from the ingress stream and missing here.
 */
final class DeadLetters {
  /**
   * About this many entries are kept ({@code MAXLEN ~}): parked entries are for an operator to look
   * at, and a producer stuck sending bad drafts must not fill Redis.
   */
  static final int MAX_LENGTH = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private final Redis commands;
  private final HubMetrics metrics;

  DeadLetters(Redis commands, HubMetrics metrics) {
    this.commands = commands;
    this.metrics = metrics;
  }

  Future<Void> park(String id, Response fields, String reason, long deliveries) {
    Request add = Request.cmd(Command.XADD).arg(RedisStreams.INGRESS_DEAD_LETTERS).arg("MAXLEN").arg("~")
        .arg(MAX_LENGTH).arg("*");
    StreamFields.pairs(fields).forEach(add::arg);
    add.arg(RedisStreams.DEAD_ENTRY_FIELD).arg(id).arg(RedisStreams.DEAD_ERROR_FIELD).arg(reason)
        .arg(RedisStreams.DEAD_DELIVERIES_FIELD).arg(deliveries);
    return commands.send(add).onSuccess(parked -> {
      metrics.ingressDeadLettered();
      LOG.warn("ingress entry {} moved to {} after {} deliveries: {}", id, RedisStreams.INGRESS_DEAD_LETTERS,
          deliveries, reason);
    }).mapEmpty();
  }
}

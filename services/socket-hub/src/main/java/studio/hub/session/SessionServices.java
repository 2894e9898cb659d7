package studio.hub.session;

import io.vertx.core.Vertx;
import studio.hub.auth.TokenVerifier;
import studio.hub.fanout.RoomFanout;
import studio.hub.metrics.HubMetrics;
import studio.hub.resume.Resumption;

/**
 * What every session of one hub instance shares. {@code nodeId} names the hub node in health answers:
 * the cluster member's id when clustered, else an id drawn once per process.
 */
public record SessionServices(Vertx vertx, RoomFanout fanout, Resumption resumption, TokenVerifier verifier,
                              SessionSettings settings, HubMetrics metrics, String nodeId) {
}

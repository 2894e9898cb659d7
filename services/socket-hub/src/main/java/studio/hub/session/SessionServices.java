package studio.hub.session;

import io.vertx.core.Vertx;
import studio.hub.auth.TokenVerifier;
import studio.hub.fanout.RoomFanout;
import studio.hub.metrics.HubMetrics;
import studio.hub.resume.Resumption;

/** What every session of one hub instance shares. */
public record SessionServices(Vertx vertx, RoomFanout fanout, Resumption resumption, TokenVerifier verifier,
                              SessionSettings settings, HubMetrics metrics) {
}

package studio.hub.session;

import io.vertx.core.Vertx;
import studio.hub.auth.TokenVerifier;
import studio.hub.broker.Broker;
import studio.hub.fanout.RoomFanout;
import studio.hub.metrics.HubMetrics;

/** What every session of one hub instance shares. */
public record SessionServices(Vertx vertx, RoomFanout fanout, Broker broker, TokenVerifier verifier,
                              SessionSettings settings, HubMetrics metrics) {
}

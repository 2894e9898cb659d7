package studio.hub.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import studio.contract.error.CloseCode;

/**
 * The live sessions of one hub instance: opens them, reaps the silent ones (no frame within ping
 * interval + timeout), and drains them all on shutdown.
 */
public final class Sessions {
  private final SessionServices services;
  private final Map<String, Session> open = new HashMap<>();
  private final long reaper;
  private boolean draining;

  public Sessions(SessionServices services) {
    this.services = services;
    Duration limit = services.settings().pingInterval().plus(services.settings().pingTimeout());
    long period = Math.max(250, services.settings().pingTimeout().toMillis() / 2);
    this.reaper = services.vertx().setPeriodic(period, timer -> reapSilent(limit));
  }

  /** A new connection; returns null (after closing it) while draining, so clients go elsewhere. */
  public Session open(FrameSink sink, String urlToken) {
    Session session = new Session(sink, services);
    if (draining) {
      session.drain(Duration.ofSeconds(1));
      sink.close(CloseCode.DRAINING);
      return null;
    }
    open.put(session.id(), session);
    services.metrics().connectionOpened(sink.transport());
    session.start(urlToken);
    return session;
  }

  public void closed(Session session) {
    if (open.remove(session.id()) != null) {
      services.metrics().connectionClosed(session.transport());
    }
    session.onClosed();
  }

  public int subscriptionCount() {
    return open.values().stream().mapToInt(Session::subscriptionCount).sum();
  }

  /**
   * Tells every client to reconnect elsewhere, gives them {@code grace} to go, then closes the rest.
   */
  public Future<Void> drain(Duration grace) {
    draining = true;
    services.vertx().cancelTimer(reaper);
    List.copyOf(open.values()).forEach(session -> session.drain(Duration.ofMillis(250)));
    if (open.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> drained = Promise.promise();
    services.vertx().setTimer(Math.max(1, grace.toMillis()), timer -> {
      List.copyOf(open.values()).forEach(session -> {
        session.close(CloseCode.DRAINING);
        closed(session);
      });
      drained.complete();
    });
    return drained.future();
  }

  private void reapSilent(Duration limit) {
    List.copyOf(open.values()).stream().filter(session -> session.silentLongerThan(limit)).forEach(session -> {
      services.metrics().pingTimeoutClosed();
      session.close(CloseCode.PING_TIMEOUT);
      closed(session);
    });
  }
}

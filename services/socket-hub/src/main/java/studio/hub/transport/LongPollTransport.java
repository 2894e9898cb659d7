package studio.hub.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.room.RoomKey;
import studio.runtime.http.OriginPolicy;
import studio.hub.auth.Principal;
import studio.hub.auth.TokenVerifier;
import studio.hub.broker.Broker;
import studio.hub.broker.History;
import studio.hub.broker.RoomFrame;
import studio.hub.fanout.RoomFanout;
import studio.runtime.service.ErrorResponses;

/**
 * The last-resort fallback, stateless so it needs no sticky sessions: {@code GET <rt-path>/poll
 * ?rooms=task:42,run:7&since={"task:42":{"offset":17,"epoch":"e1"}}} with the token in
 * {@code Authorization: Bearer} or {@code ?token=}. Any replica answers from room history at once
 * when something is newer than {@code since}, or holds the request until an event arrives or the
 * poll timeout passes. The answer carries each room's new resume point.
 */
public final class LongPollTransport {
  private static final int MAX_ROOMS = 100;
  private final Vertx vertx;
  private final TokenVerifier verifier;
  private final Broker broker;
  private final RoomFanout fanout;
  private final Duration timeout;
  private final int historyLimit;

  private LongPollTransport(Vertx vertx, TokenVerifier verifier, Broker broker, RoomFanout fanout, Duration timeout,
                            int historyLimit) {
    this.vertx = vertx;
    this.verifier = verifier;
    this.broker = broker;
    this.fanout = fanout;
    this.timeout = timeout;
    this.historyLimit = historyLimit;
  }

  public static void mount(Vertx vertx, Router router, String rtPath, TokenVerifier verifier, Broker broker,
                           RoomFanout fanout, OriginPolicy origins, Duration timeout, int historyLimit) {
    router.get(rtPath + "/poll").handler(origins);
    router.get(rtPath + "/poll").handler(
        new LongPollTransport(vertx, verifier, broker, fanout, timeout, historyLimit)::poll);
    router.options(rtPath + "/poll").handler(origins).handler(LongPollTransport::preflight);
  }

  /**
   * A page on another origin (web on its own port, or a separate realtime host) sends the token in
   * an Authorization header, which takes a CORS preflight; an allowed origin gets it, cached ten minutes.
   */
  private static void preflight(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null) {
      ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
    }
    ctx.response().setStatusCode(204)
        .putHeader("Access-Control-Allow-Methods", "GET")
        .putHeader("Access-Control-Allow-Headers", "Authorization")
        .putHeader("Access-Control-Max-Age", "600")
        .end();
  }

  private record Resume(long offset, String epoch) {
  }

  private void poll(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null) {
      ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
    }
    Map<RoomKey, Resume> since;
    try {
      since = parse(ctx);
    } catch (ContractException e) {
      ErrorResponses.send(ctx, e);
      return;
    }
    verifier.verify(token(ctx))
        .compose(principal -> authorize(principal, since.keySet()))
        .compose(allowed -> collect(since))
        .onSuccess(answer -> ctx.response().putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store").end(answer.encode()))
        .onFailure(failure -> ErrorResponses.send(ctx, failure instanceof ContractException e ? e
            : new ContractException(ErrorCode.UNAVAILABLE, failure.getMessage())));
  }

  private static String token(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : ctx.request().getParam("token");
  }

  private static Map<RoomKey, Resume> parse(RoutingContext ctx) {
    String rooms = ctx.request().getParam("rooms");
    if (rooms == null || rooms.isBlank()) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "rooms", "rooms=<room>,<room>,... is required");
    }
    List<RoomKey> keys = Arrays.stream(rooms.split(",")).map(String::trim).filter(r -> !r.isEmpty())
        .map(RoomKey::parse).distinct().toList();
    if (keys.size() > MAX_ROOMS) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "rooms", "at most " + MAX_ROOMS + " rooms per poll");
    }
    JsonObject since;
    try {
      String raw = ctx.request().getParam("since");
      since = raw == null || raw.isBlank() ? new JsonObject() : new JsonObject(raw);
    } catch (DecodeException e) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, "since", "must be a JSON object of room -> {offset, epoch}");
    }
    Map<RoomKey, Resume> resume = new LinkedHashMap<>();
    for (RoomKey key : keys) {
      JsonObject point = since.getJsonObject(key.toString());
      resume.put(key, point == null ? null : new Resume(point.getLong("offset", 0L), point.getString("epoch")));
    }
    return resume;
  }

  private static Future<Void> authorize(Principal principal, Iterable<RoomKey> rooms) {
    for (RoomKey room : rooms) {
      if (!principal.grant().allows(room)) {
        return Future.failedFuture(new ContractException(ErrorCode.FORBIDDEN_ROOM, "token does not grant " + room));
      }
    }
    return Future.succeededFuture();
  }

  /** Listens first, then reads history, so an event published in between is caught by one or the other. */
  private Future<JsonObject> collect(Map<RoomKey, Resume> since) {
    TreeMap<String, RoomFrame> arrived = new TreeMap<>();
    Promise<Void> woken = Promise.promise();
    Map<RoomKey, Consumer<RoomFrame>> listeners = new LinkedHashMap<>();
    List<Future<?>> joins = new ArrayList<>();
    since.forEach((room, resume) -> {
      Consumer<RoomFrame> listener = frame -> {
        arrived.put(room + "#" + String.format("%019d", frame.offset()), frame);
        woken.tryComplete();
      };
      listeners.put(room, listener);
      joins.add(fanout.join(room, listener));
    });
    Map<RoomKey, Future<History>> histories = new LinkedHashMap<>();
    // Without a resume point only the position is needed; with one, what followed it.
    since.forEach((room, resume) -> histories.put(room, resume == null
        ? broker.position(room).map(position -> new History(position, List.of(), false))
        : broker.history(room, resume.offset(), historyLimit)));
    return Future.all(new ArrayList<>(joins)).compose(joined -> Future.all(new ArrayList<>(histories.values())))
        .compose(read -> {
          boolean anyNew = histories.values().stream().anyMatch(h -> !h.result().frames().isEmpty())
              || !arrived.isEmpty();
          boolean mustRehydrate = since.entrySet().stream()
              .anyMatch(e -> !recoverable(e.getValue(), histories.get(e.getKey()).result()));
          if (!anyNew && !mustRehydrate) {
            long timer = vertx.setTimer(timeout.toMillis(), t -> woken.tryComplete());
            return woken.future().onComplete(done -> vertx.cancelTimer(timer));
          }
          return Future.succeededFuture();
        })
        .map(done -> answer(since, histories, arrived))
        .eventually(() -> {
          listeners.forEach(fanout::leave);
          return Future.succeededFuture();
        });
  }

  private static JsonObject answer(Map<RoomKey, Resume> since, Map<RoomKey, Future<History>> histories,
                                   TreeMap<String, RoomFrame> arrived) {
    JsonObject rooms = new JsonObject();
    JsonArray events = new JsonArray();
    since.forEach((room, resume) -> {
      History history = histories.get(room).result();
      boolean recovered = recoverable(resume, history);
      long last = recovered ? resume.offset() : history.position().offset();
      String epoch = history.position().epoch();
      List<RoomFrame> frames = new ArrayList<>(recovered ? history.frames() : List.of());
      arrived.subMap(room + "#", room + "#~").values().forEach(frames::add);
      for (RoomFrame frame : frames) {
        if (frame.offset() > last || (epoch != null && !epoch.equals(frame.epoch()))) {
          events.add(new JsonObject(frame.frame()));
          last = frame.offset();
          epoch = frame.epoch();
        }
      }
      JsonObject state = new JsonObject().put("offset", last).put("epoch", epoch);
      rooms.put(room.toString(), resume == null ? state : state.put("recovered", recovered));
    });
    return new JsonObject().put("rooms", rooms).put("events", events);
  }

  /** True when the client can continue from its resume point without re-reading state. */
  private static boolean recoverable(Resume resume, History history) {
    if (resume == null) {
      return false;
    }
    boolean sameEpoch = resume.epoch() != null && resume.epoch().equals(history.position().epoch());
    return history.complete() && (sameEpoch || resume.offset() == 0);
  }
}

package studio.hub.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
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
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.frame.Frames;
import studio.contract.room.RoomKey;
import studio.hub.HubConfig;
import studio.hub.auth.Principal;
import studio.hub.auth.TokenVerifier;
import studio.hub.broker.RoomFrame;
import studio.hub.fanout.RoomFanout;
import studio.hub.metrics.HubMetrics;
import studio.hub.resume.ResumePoint;
import studio.hub.resume.Resumption;
import studio.hub.resume.RoomStart;
import studio.runtime.http.OriginPolicy;
import studio.runtime.service.ErrorResponses;

/**
 * The last-resort fallback, stateless so it needs no sticky sessions: {@code GET <rt-path>/poll
 * ?rooms=task:42,run:7&since={"task:42":{"offset":17,"epoch":"e1"}}} with the token in
 * {@code Authorization: Bearer} or {@code ?token=}. Any replica answers at once when something is
 * newer than {@code since}, or holds the request until an event arrives or the poll timeout passes.
 * It resumes by the same rule as a WebSocket session ({@link Resumption}): listening first, then
 * reading what was missed, and it never answers with a hole: the events it returns are contiguous
 * from {@code since}, and each room's new resume point is the last of them.
 */
public final class LongPollTransport {
  private static final Logger LOG = LoggerFactory.getLogger(LongPollTransport.class);
  private static final int MAX_ROOMS = 100;
  private final Vertx vertx;
  private final TokenVerifier verifier;
  private final RoomFanout fanout;
  private final Resumption resumption;
  private final HubMetrics metrics;
  private final Duration timeout;
  private final int maxPolls;

  private LongPollTransport(Vertx vertx, TokenVerifier verifier, RoomFanout fanout, Resumption resumption,
                            HubMetrics metrics, Duration timeout, int maxPolls) {
    this.vertx = vertx;
    this.verifier = verifier;
    this.fanout = fanout;
    this.resumption = resumption;
    this.metrics = metrics;
    this.timeout = timeout;
    this.maxPolls = maxPolls;
  }

  public static void mount(Vertx vertx, Router router, String rtPath, TokenVerifier verifier, RoomFanout fanout,
                           Resumption resumption, HubMetrics metrics, OriginPolicy origins, Duration timeout,
                           int maxPolls) {
    router.get(rtPath + "/poll").handler(origins);
    router.get(rtPath + "/poll").handler(
        new LongPollTransport(vertx, verifier, fanout, resumption, metrics, timeout, maxPolls)::poll);
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

  private void poll(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null) {
      ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
    }
    Map<RoomKey, ResumePoint> since;
    try {
      since = parse(ctx);
    } catch (ContractException e) {
      ErrorResponses.send(ctx, e);
      return;
    }
    if (metrics.total(HubMetrics.LONG_POLLS) >= maxPolls) {
      ctx.response().putHeader("Retry-After", "1");
      ErrorResponses.send(ctx, new ContractException(ErrorCode.UNAVAILABLE, "this replica holds its maximum of "
          + maxPolls + " long-polls (" + HubConfig.POLL_MAX + "); retry in a second"));
      return;
    }
    metrics.longPollStarted();
    Promise<Void> woken = Promise.promise();
    // A client that goes away stops waiting at once and releases its rooms.
    ctx.response().closeHandler(closed -> woken.tryComplete());
    verifier.verify(token(ctx))
        .compose(principal -> authorize(principal, since.keySet()))
        .compose(allowed -> collect(since, woken))
        .onComplete(done -> metrics.longPollEnded())
        .onSuccess(answer -> {
          if (!ctx.response().closed()) {
            ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end(answer.encode());
          }
        })
        .onFailure(failure -> {
          if (!ctx.response().closed()) {
            ErrorResponses.send(ctx, failure instanceof ContractException e ? e : unavailable(failure));
          }
        });
  }

  /** Details of a store failure go to the log, not to the client. */
  private static ContractException unavailable(Throwable failure) {
    LOG.warn("long-poll failed: {}", failure.getMessage());
    return new ContractException(ErrorCode.UNAVAILABLE, "the realtime store is unavailable; retry");
  }

  private static String token(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : ctx.request().getParam("token");
  }

  private static Map<RoomKey, ResumePoint> parse(RoutingContext ctx) {
    String rooms = ctx.request().getParam(Frames.ROOMS);
    if (rooms == null || rooms.isBlank()) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, Frames.ROOMS, "rooms=<room>,<room>,... is required");
    }
    List<RoomKey> keys = Arrays.stream(rooms.split(",")).map(String::trim).filter(r -> !r.isEmpty())
        .map(LongPollTransport::room).distinct().toList();
    if (keys.size() > MAX_ROOMS) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, Frames.ROOMS, "at most " + MAX_ROOMS + " rooms per poll");
    }
    Object raw;
    try {
      String text = ctx.request().getParam(Frames.SINCE);
      raw = text == null || text.isBlank() ? null : Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, Frames.SINCE, "must be a JSON object of room -> {offset, epoch}");
    }
    Map<RoomKey, ResumePoint> given = ResumePoint.parseAll(raw, ErrorCode.INVALID_REQUEST);
    Map<RoomKey, ResumePoint> resume = new LinkedHashMap<>();
    keys.forEach(key -> resume.put(key, given.get(key)));
    return resume;
  }

  private static RoomKey room(String key) {
    try {
      return RoomKey.parse(key);
    } catch (ContractException e) {
      throw new ContractException(ErrorCode.INVALID_REQUEST, Frames.ROOMS, e.getMessage());
    }
  }

  private static Future<Void> authorize(Principal principal, Iterable<RoomKey> rooms) {
    for (RoomKey room : rooms) {
      if (!principal.grant().allows(room)) {
        return Future.failedFuture(new ContractException(ErrorCode.FORBIDDEN_ROOM, "token does not grant " + room));
      }
    }
    return Future.succeededFuture();
  }

  /** One room of one poll: where it starts (once known) and the live frames that reached it. */
  private static final class PolledRoom {
    final List<RoomFrame> arrived = new ArrayList<>();
    RoomStart start;
  }

  /**
   * Joins every room's fan-out, then resumes each by the one rule; answers when something is new,
   * when a room cannot be resumed (the client must re-read state), or when the wait ends.
   */
  private Future<JsonObject> collect(Map<RoomKey, ResumePoint> since, Promise<Void> woken) {
    Map<RoomKey, PolledRoom> polled = new LinkedHashMap<>();
    Map<RoomKey, Consumer<RoomFrame>> listeners = new LinkedHashMap<>();
    List<Future<RoomStart>> starts = new ArrayList<>();
    since.forEach((room, point) -> {
      PolledRoom state = new PolledRoom();
      polled.put(room, state);
      Consumer<RoomFrame> listener = frame -> {
        state.arrived.add(frame);
        // The fan-out forwards contiguously, so a frame past the start is something to answer with.
        if (state.start != null && state.start.continuedBy(frame)) {
          woken.tryComplete();
        }
      };
      listeners.put(room, listener);
      starts.add(fanout.join(room, listener)
          .compose(joined -> resumption.start(room, joined, point))
          .onSuccess(start -> state.start = start));
    });
    return Future.all(new ArrayList<>(starts))
        .compose(started -> {
          boolean answerNow = polled.values().stream()
              .anyMatch(state -> !Boolean.TRUE.equals(state.start.recovered()) || !events(state).isEmpty());
          if (answerNow) {
            return Future.succeededFuture();
          }
          long timer = vertx.setTimer(timeout.toMillis(), t -> woken.tryComplete());
          return woken.future().onComplete(done -> vertx.cancelTimer(timer));
        })
        .map(done -> answer(polled))
        .eventually(() -> {
          listeners.forEach(fanout::leave);
          return Future.succeededFuture();
        });
  }

  private static JsonObject answer(Map<RoomKey, PolledRoom> polled) {
    JsonObject rooms = new JsonObject();
    JsonArray events = new JsonArray();
    polled.forEach((room, state) -> {
      List<RoomFrame> frames = events(state);
      frames.forEach(frame -> events.add(new JsonObject(frame.frame())));
      RoomStart start = state.start;
      RoomFrame last = frames.isEmpty() ? null : frames.get(frames.size() - 1);
      rooms.put(room.toString(), new RoomStart(room, last == null ? start.offset() : last.offset(),
          last == null ? start.epoch() : last.epoch(), start.recovered(), List.of()).toJson());
    });
    return Frames.pollAnswer(rooms, events);
  }

  /**
   * The replay, then live frames, as one run contiguous from the start: a frame already covered is
   * skipped, and the run stops at the first hole (the client asks again from there).
   */
  private static List<RoomFrame> events(PolledRoom state) {
    List<RoomFrame> run = new ArrayList<>();
    long last = state.start.offset();
    String epoch = state.start.epoch();
    List<RoomFrame> candidates = new ArrayList<>(state.start.replay());
    candidates.addAll(state.arrived);
    for (RoomFrame frame : candidates) {
      if (epoch != null && !Objects.equals(epoch, frame.epoch())) {
        // The room started over (Redis lost it): the fan-out restarts its frames at offset 1.
        last = 0;
      }
      epoch = frame.epoch();
      if (frame.offset() <= last) {
        continue;
      }
      if (frame.offset() != last + 1) {
        break;
      }
      run.add(frame);
      last = frame.offset();
    }
    return run;
  }
}

package studio.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import studio.contract.room.RoomKey;

/**
 * One pub/sub link per hub deployment, shared by its instances (one per event loop): Redis sends
 * each room's frames to a replica once, and the link hands every frame to the instances that have
 * subscribers in its room. Without it each instance held its own link, so with two instances a
 * room's every event crossed from Redis twice and was parsed twice (docs/architecture.md
 * "One subscription per replica").
 *
 * <p>The link and its room table live on a context of their own on the first instance's event
 * loop (so that instance gets its frames without a thread hop, and no instance's undeploy cancels
 * the link's reconnect timers). Instances talk to it only through their {@link Member}, whose
 * futures and frames arrive on the instance's own context.
 */
final class SharedSubscriber {
  private static final Map<String, SharedSubscriber> BY_DEPLOYMENT = new ConcurrentHashMap<>();

  private final String deployment;
  private final ContextInternal context;
  private final RoomSubscriber link;
  /** The members with subscribers in each room; arrays copied on change, so a frame's hand-out may run into a leave. */
  private final Map<RoomKey, Room> rooms = new HashMap<>();
  /** Instances holding a member; guarded by BY_DEPLOYMENT's compute. */
  private int holders;

  private static final class Room {
    Member[] members = new Member[0];
    Future<Void> subscribed;
  }

  private SharedSubscriber(String deployment, ContextInternal context, RoomSubscriber link) {
    this.deployment = deployment;
    this.context = context;
    this.link = link;
    link.listener(new BrokerListener() {
      @Override
      public void onFrame(RoomFrame frame) {
        Room room = rooms.get(frame.room());
        if (room != null) {
          for (Member member : room.members) {
            member.home.emit(frame, member.frames);
          }
        }
      }

      @Override
      public void onResubscribed() {
        rooms.values().stream().flatMap(room -> Arrays.stream(room.members)).distinct()
            .forEach(member -> member.home.emit(resubscribed -> member.listener.onResubscribed()));
      }
    });
  }

  /**
   * This instance's view of its deployment's link, opened by the first instance to ask (called on
   * the instance's context, in its start); {@code link} opens a deployment's link when none is open.
   */
  static RoomSubscriber join(Vertx vertx, Supplier<RoomSubscriber> link) {
    ContextInternal home = (ContextInternal) vertx.getOrCreateContext();
    String deployment = Objects.requireNonNull(home.deploymentID(), "joined outside a verticle");
    SharedSubscriber shared = BY_DEPLOYMENT.compute(deployment, (id, open) -> {
      SharedSubscriber joined = open != null ? open : new SharedSubscriber(id,
          ((VertxInternal) vertx).contextBuilder().withEventLoop(home.nettyEventLoop()).build(), link.get());
      joined.holders++;
      return joined;
    });
    return shared.new Member(home);
  }

  private Future<Void> subscribe(Member member, RoomKey key) {
    Room room = rooms.computeIfAbsent(key, ignored -> new Room());
    if (!List.of(room.members).contains(member)) {
      room.members = append(room.members, member);
    }
    if (room.subscribed == null || room.subscribed.failed()) {
      room.subscribed = link.subscribe(key);
    }
    return room.subscribed;
  }

  private Future<Void> unsubscribe(Member member, RoomKey key) {
    Room room = rooms.get(key);
    if (room == null) {
      return Future.succeededFuture();
    }
    room.members = Arrays.stream(room.members).filter(other -> other != member).toArray(Member[]::new);
    if (room.members.length > 0) {
      return Future.succeededFuture();
    }
    rooms.remove(key);
    return link.unsubscribe(key);
  }

  /** Leaves every room the member is in; the last member to leave closes the link. */
  private Future<Void> release(Member member) {
    List.copyOf(rooms.keySet()).forEach(room -> unsubscribe(member, room));
    boolean last = BY_DEPLOYMENT.compute(deployment, (id, open) -> --open.holders == 0 ? null : open) == null;
    return last ? link.close() : Future.succeededFuture();
  }

  private static Member[] append(Member[] members, Member member) {
    Member[] more = Arrays.copyOf(members, members.length + 1);
    more[members.length] = member;
    return more;
  }

  /** One instance's subscriptions through the shared link; callable from the instance's context only. */
  private final class Member implements RoomSubscriber {
    private final ContextInternal home;
    private volatile BrokerListener listener;
    private final Handler<RoomFrame> frames = frame -> listener.onFrame(frame);

    Member(ContextInternal home) {
      this.home = home;
    }

    @Override
    public Future<Void> subscribe(RoomKey room) {
      return onLink(() -> SharedSubscriber.this.subscribe(this, room));
    }

    @Override
    public Future<Void> unsubscribe(RoomKey room) {
      return onLink(() -> SharedSubscriber.this.unsubscribe(this, room));
    }

    @Override
    public void listener(BrokerListener listener) {
      this.listener = listener;
    }

    @Override
    public Future<Void> close() {
      return onLink(() -> release(this));
    }

    @Override
    public void dropConnection() {
      context.emit(drop -> link.dropConnection());
    }

    /** Runs {@code action} on the link's context; its outcome completes on this instance's context. */
    private Future<Void> onLink(Supplier<Future<Void>> action) {
      PromiseInternal<Void> done = home.promise();
      context.emit(run -> action.get().onComplete(done));
      return done.future();
    }
  }
}

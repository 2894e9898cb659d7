package studio.hub;

import java.time.Duration;
import java.util.List;
import studio.hub.broker.HistoryPolicy;
import studio.hub.ingress.PublishLimits;
import studio.hub.session.SessionSettings;
import studio.runtime.auth.Internals;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;
import studio.runtime.http.RealtimeAddress;

/**
 * The socket hub's own knobs, with their defaults. {@code internalsOpen}: whether {@code /metrics} and
 * {@code <rt-path>/stats} answer without the worker secret ({@link Internals}).
 */
public record HubConfig(
    int port,
    String rtPath,
    String socketIoPath,
    List<Transport> transports,
    BrokerKind broker,
    SessionSettings session,
    HistoryPolicy history,
    Duration drainGrace,
    Duration ingressClaimIdle,
    Duration ingressLeaseTtl,
    int ingressMaxDeliveries,
    Duration pollTimeout,
    int pollMax,
    int instances,
    boolean internalsOpen,
    PublishLimits publishLimits,
    boolean webSocketCompression) {

  public static final String TRANSPORTS = "STUDIO_RT_TRANSPORTS";
  public static final String SOCKETIO_PATH = "STUDIO_SOCKETIO_PATH";
  public static final String BROKER = "STUDIO_RT_BROKER";
  public static final String PING_INTERVAL = "STUDIO_RT_PING_INTERVAL";
  public static final String PING_TIMEOUT = "STUDIO_RT_PING_TIMEOUT";
  public static final String AUTH_TIMEOUT = "STUDIO_RT_AUTH_TIMEOUT";
  public static final String FRAME_MAX = "STUDIO_RT_FRAME_MAX";
  public static final String CLIENT_RATE = "STUDIO_RT_CLIENT_RATE";
  public static final String CLIENT_QUEUE_MAX = "STUDIO_RT_CLIENT_QUEUE_MAX";
  public static final String HISTORY_SIZE = "STUDIO_RT_HISTORY_SIZE";
  public static final String HISTORY_TTL = "STUDIO_RT_HISTORY_TTL";
  public static final String IDEMPOTENCY_WINDOW = "STUDIO_RT_IDEMPOTENCY_WINDOW";
  public static final String ROOM_TTL = "STUDIO_RT_ROOM_TTL";
  public static final String DRAIN_GRACE = "STUDIO_RT_DRAIN_GRACE";
  public static final String INGRESS_CLAIM_IDLE = "STUDIO_RT_INGRESS_CLAIM_IDLE";
  public static final String INGRESS_LEASE_TTL = "STUDIO_RT_INGRESS_LEASE_TTL";
  public static final String INGRESS_MAX_DELIVERIES = "STUDIO_RT_INGRESS_MAX_DELIVERIES";
  public static final String POLL_TIMEOUT = "STUDIO_RT_POLL_TIMEOUT";
  public static final String POLL_MAX = "STUDIO_RT_POLL_MAX";
  public static final String ROOMS_MAX = "STUDIO_RT_ROOMS_MAX";
  public static final String INSTANCES = "STUDIO_HUB_INSTANCES";
  public static final String WS_COMPRESSION = "STUDIO_RT_WS_COMPRESSION";

  public enum Transport { WEBSOCKET, SOCKJS }

  /** {@code redis}: shared by every replica; {@code memory}: one process only, no Redis needed. */
  public enum BrokerKind { REDIS, MEMORY }

  public static HubConfig from(Settings settings) {
    RealtimeAddress address = RealtimeAddress.from(settings);
    int historySize = settings.intAtLeast(HISTORY_SIZE, 1000, 1);
    return new HubConfig(
        address.hubPort(),
        address.path(),
        socketIoPath(settings),
        settings.listOf(TRANSPORTS, List.of(Transport.WEBSOCKET, Transport.SOCKJS), Transport.class),
        settings.oneOf(BROKER, BrokerKind.REDIS, BrokerKind.class),
        new SessionSettings(
            positive(settings, PING_INTERVAL, Duration.ofSeconds(25)),
            positive(settings, PING_TIMEOUT, Duration.ofSeconds(20)),
            positive(settings, AUTH_TIMEOUT, Duration.ofSeconds(10)),
            settings.intAtLeast(FRAME_MAX, 64 * 1024, 1024),
            settings.intAtLeast(CLIENT_RATE, 50, 1),
            historySize,
            settings.intAtLeast(CLIENT_QUEUE_MAX, 1024 * 1024, 16 * 1024),
            settings.intAtLeast(ROOMS_MAX, 1000, 1)),
        new HistoryPolicy(historySize,
            positive(settings, HISTORY_TTL, Duration.ofMinutes(10)),
            positive(settings, IDEMPOTENCY_WINDOW, Duration.ofHours(1)),
            positive(settings, ROOM_TTL, Duration.ofDays(7))),
        settings.duration(DRAIN_GRACE, Duration.ofSeconds(5)),
        positive(settings, INGRESS_CLAIM_IDLE, Duration.ofSeconds(30)),
        positive(settings, INGRESS_LEASE_TTL, Duration.ofSeconds(5)),
        settings.intAtLeast(INGRESS_MAX_DELIVERIES, 10, 1),
        positive(settings, POLL_TIMEOUT, Duration.ofSeconds(25)),
        settings.intAtLeast(POLL_MAX, 10_000, 1),
        instances(settings),
        Internals.open(settings),
        PublishLimits.from(settings),
        // Off, as in Socket.IO and Centrifugo: every browser offers permessage-deflate, and each
        // connection that takes it holds zlib state of its own (docs/configuration.md).
        settings.bool(WS_COMPRESSION, false));
  }

  /**
   * Hub instances per process, each on its own event loop with its own sessions and Redis
   * subscriptions (a replica within the replica). The in-memory broker lives in one instance, so it
   * allows only one.
   */
  private static int instances(Settings settings) {
    int instances = settings.intAtLeast(INSTANCES, Runtime.getRuntime().availableProcessors(), 1);
    boolean memory = settings.oneOf(BROKER, BrokerKind.REDIS, BrokerKind.class) == BrokerKind.MEMORY;
    if (memory && settings.optional(INSTANCES).isPresent() && instances > 1) {
      throw new ConfigException("invalid config " + INSTANCES + "=\"" + instances
          + "\": expected 1 with STUDIO_RT_BROKER=memory (the in-memory broker cannot be shared between instances)");
    }
    return memory ? 1 : instances;
  }

  /** Where pages written for Flask-SocketIO connect (Engine.IO's own default); empty turns the endpoint off. */
  private static String socketIoPath(Settings settings) {
    String path = settings.string(SOCKETIO_PATH, "/socket.io").strip();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!path.isEmpty() && (!path.startsWith("/") || path.contains("?") || path.contains("#"))) {
      throw new ConfigException("invalid config " + SOCKETIO_PATH + "=\"" + path
          + "\": expected a path starting with / (for example /socket.io), or empty to turn it off");
    }
    return path;
  }

  private static Duration positive(Settings settings, String knob, Duration defaultValue) {
    Duration value = settings.duration(knob, defaultValue);
    if (value.isZero()) {
      throw new ConfigException("invalid config " + knob + "=\"0\": expected a duration above zero");
    }
    return value;
  }
}

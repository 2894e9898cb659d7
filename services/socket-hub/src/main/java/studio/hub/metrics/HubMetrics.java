package studio.hub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import studio.hub.fanout.FanoutMetrics;

/** The hub's Prometheus metrics ({@code studio_rt_*}), one instance per hub verticle instance. */
public final class HubMetrics implements FanoutMetrics {
  /** Long-polls this instance holds now (a gauge per instance; {@link #total} sums the process). */
  public static final String LONG_POLLS = "studio_rt_long_polls";
  private final MeterRegistry registry;
  private final String instance = UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final Counter published;
  private final Counter duplicatesPublished;
  private final Counter delivered;
  private final Counter replayedFrames;
  private final Counter replaysRefused;
  private final Counter slowConsumers;
  private final Counter pingTimeouts;
  private final Counter duplicatesDropped;
  private final Counter gapFrames;
  private final Counter gapsUnrecoverable;
  private final Counter gapFillFailures;
  private final Counter ingressDeadLettered;
  private final Timer publishLatency;
  private final AtomicInteger longPolls = new AtomicInteger();
  private final AtomicInteger redisUp = new AtomicInteger();
  private boolean redisWatched;

  public HubMetrics(MeterRegistry registry) {
    this.registry = registry;
    published = Counter.builder("studio_rt_events_published").description("events sequenced by this hub").register(registry);
    duplicatesPublished = Counter.builder("studio_rt_events_deduplicated")
        .description("publishes answered from the idempotency window").register(registry);
    delivered = Counter.builder("studio_rt_events_delivered").description("event frames written to clients").register(registry);
    replayedFrames = Counter.builder("studio_rt_replay_frames").description("frames replayed from history on resume")
        .register(registry);
    replaysRefused = Counter.builder("studio_rt_replays_refused")
        .description("resumes answered recovered:false (history trimmed or epoch changed)").register(registry);
    slowConsumers = Counter.builder("studio_rt_slow_consumer_disconnects").register(registry);
    pingTimeouts = Counter.builder("studio_rt_ping_timeout_disconnects").register(registry);
    duplicatesDropped = Counter.builder("studio_rt_fanout_duplicates_dropped").register(registry);
    gapFrames = Counter.builder("studio_rt_fanout_gap_frames_filled").register(registry);
    gapsUnrecoverable = Counter.builder("studio_rt_fanout_gaps_unrecoverable").register(registry);
    gapFillFailures = Counter.builder("studio_rt_fanout_gap_fill_failures").register(registry);
    ingressDeadLettered = Counter.builder("studio_rt_ingress_dead_lettered")
        .description("ingress stream entries moved to the dead-letter stream").register(registry);
    publishLatency = Timer.builder("studio_rt_publish_latency").description("time to sequence a publish")
        .publishPercentileHistogram().register(registry);
    Gauge.builder(LONG_POLLS, longPolls, AtomicInteger::get).tag("instance", instance)
        .description("long-poll requests held open").register(registry);
  }

  public void longPollStarted() {
    longPolls.incrementAndGet();
  }

  public void longPollEnded() {
    longPolls.decrementAndGet();
  }

  public void connectionOpened(String transport) {
    gauge(transport).incrementAndGet();
  }

  public void connectionClosed(String transport) {
    gauge(transport).decrementAndGet();
  }

  /** One gauge per transport and hub instance; Prometheus sums them (the stats endpoint does too). */
  private AtomicInteger gauge(String transport) {
    return connections.computeIfAbsent(transport, name -> registry.gauge("studio_rt_connections",
        Tags.of("transport", name, "instance", instance), new AtomicInteger()));
  }

  /** Gauges of this instance's subscriptions and rooms, read when scraped. */
  public void watch(Supplier<Number> subscriptions, Supplier<Number> rooms) {
    Gauge.builder("studio_rt_subscriptions", subscriptions).tag("instance", instance)
        .register(registry);
    Gauge.builder("studio_rt_rooms", rooms).tag("instance", instance)
        .description("rooms this instance is subscribed to in the broker").register(registry);
  }

  /** The latest answer of this instance's {@link RedisLinkProbe}; the gauge appears with the first one. */
  public void redisLink(boolean up) {
    redisUp.set(up ? 1 : 0);
    if (!redisWatched) {
      redisWatched = true;
      Gauge.builder("studio_rt_redis_up", redisUp, AtomicInteger::get)
          .tag("instance", instance).description("1 while this hub instance's Redis answers a PING, else 0")
          .register(registry);
    }
  }

  /** Removes this instance's gauges when it stops, so totals count only running instances. */
  public void close() {
    registry.getMeters().stream().filter(meter -> instance.equals(meter.getId().getTag("instance")))
        .toList().forEach(registry::remove);
  }

  /** Sum of a gauge over every hub instance of this process. */
  public double total(String gauge) {
    return registry.find(gauge).gauges().stream().mapToDouble(Gauge::value).sum();
  }

  /** Per-transport connection totals over every hub instance of this process. */
  public Map<String, Integer> connectionsByTransport() {
    Map<String, Integer> totals = new TreeMap<>();
    registry.find("studio_rt_connections").gauges().forEach(g ->
        totals.merge(g.getId().getTag("transport"), (int) g.value(), Integer::sum));
    return totals;
  }

  public void published(Duration latency, boolean duplicate) {
    (duplicate ? duplicatesPublished : published).increment();
    publishLatency.record(latency);
  }

  public void delivered() {
    delivered.increment();
  }

  public void replayed(int frames) {
    replayedFrames.increment(frames);
  }

  public void replayRefused() {
    replaysRefused.increment();
  }

  public void slowConsumerClosed() {
    slowConsumers.increment();
  }

  public void pingTimeoutClosed() {
    pingTimeouts.increment();
  }

  @Override
  public void duplicateDropped() {
    duplicatesDropped.increment();
  }

  @Override
  public void gapFilled(int frames) {
    gapFrames.increment(frames);
  }

  @Override
  public void gapUnrecoverable() {
    gapsUnrecoverable.increment();
  }

  @Override
  public void gapFillFailed() {
    gapFillFailures.increment();
  }

  public void ingressDeadLettered() {
    ingressDeadLettered.increment();
  }

  public double deliveredCount() {
    return delivered.count();
  }

  public double publishedCount() {
    return published.count();
  }
}

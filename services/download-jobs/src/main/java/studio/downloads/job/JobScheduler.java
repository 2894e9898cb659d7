package studio.downloads.job;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.Addresses;

/**
 * Keeps up to {@code concurrency} jobs running in this service: claims more when woken over
 * {@link Addresses#DOWNLOADS_WAKE}, on a slow poll (which also picks up jobs whose worker died), and
 * whenever a job ends; renews the leases of running jobs; stops a job at once when
 * {@link Addresses#DOWNLOADS_CANCEL} names it (the row's cancel flag, read at every progress write
 * and renewal, covers a message that never arrives). On stop, running jobs are abandoned and their
 * leases released, so another worker resumes them straight away.
 */
public final class JobScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(JobScheduler.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private final JobTools tools;
  private final Map<Long, JobRun> running = new HashMap<>();
  private final Map<Long, Future<Void>> ends = new HashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();
  private boolean claiming;
  private boolean claimAgain;
  private boolean stopped;

  public JobScheduler(JobTools tools) {
    this.tools = tools;
  }

  public Future<Void> start() {
    consumers.add(tools.vertx().eventBus().consumer(Addresses.DOWNLOADS_WAKE, message -> claim()));
    consumers.add(tools.vertx().eventBus().consumer(Addresses.DOWNLOADS_CANCEL, message -> cancel(message.body())));
    timers.add(tools.vertx().setPeriodic(tools.config().pollInterval().toMillis(), tick -> claim()));
    timers.add(tools.vertx().setPeriodic(Math.max(250, tools.config().lease().toMillis() / 3), tick -> renewLeases()));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(registered -> claim())
        .mapEmpty();
  }

  /** Abandons running jobs and hands their leases back; waits a little for their runs to settle. */
  public Future<Void> stop() {
    stopped = true;
    timers.forEach(tools.vertx()::cancelTimer);
    List<JobRun> runs = List.copyOf(running.values());
    List<Future<Void>> settled = List.copyOf(ends.values());
    runs.forEach(JobRun::abandon);
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList())
        .transform(unregistered -> Future.join(settled).timeout(STOP_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
        .transform(ended -> Future.join(runs.stream().map(run -> tools.queue().release(run.id())).toList()))
        .mapEmpty();
  }

  public int runningCount() {
    return running.size();
  }

  private void claim() {
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = true;
    claimAgain = false;
    claimNext();
  }

  private void claimNext() {
    if (stopped || running.size() >= tools.config().concurrency()) {
      claimDone();
      return;
    }
    tools.queue().claim()
        .onSuccess(claimed -> {
          if (claimed.isEmpty()) {
            claimDone();
            return;
          }
          tools.eventsCommitted().run();
          JobRun run = new JobRun(tools, claimed.get());
          LOG.info("download job {} claimed (attempt {})", run.id(), claimed.get().attempts());
          running.put(run.id(), run);
          ends.put(run.id(), run.run().onComplete(ended -> ended(run)));
          claimNext();
        })
        .onFailure(failure -> {
          LOG.warn("could not claim a download job: {}", failure.getMessage());
          claimDone();
        });
  }

  private void claimDone() {
    claiming = false;
    if (claimAgain && !stopped) {
      claim();
    }
  }

  private void ended(JobRun run) {
    running.remove(run.id());
    ends.remove(run.id());
    if (!stopped) {
      claim();
    }
  }

  private void cancel(JsonObject body) {
    Object id = body == null ? null : body.getValue("job_id");
    JobRun run = id == null || !id.toString().matches("\\d{1,18}") ? null : running.get(Long.valueOf(id.toString()));
    if (run != null) {
      LOG.info("download job {}: cancel requested", run.id());
      run.cancel();
    }
  }

  private void renewLeases() {
    List.copyOf(running.values()).forEach(run -> tools.queue().renew(run.id())
        .onSuccess(run::leaseChecked)
        .onFailure(failure -> LOG.warn("download job {}: could not renew the lease: {}", run.id(), failure.getMessage())));
  }
}

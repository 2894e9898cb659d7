package studio.downloads.job;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.contract.bus.Addresses;
import studio.runtime.lease.LeaseState;
import studio.runtime.lease.LeaseWorkLoop;

/**
 * Keeps up to {@code concurrency} jobs running in this service through the shared
 * {@link LeaseWorkLoop}: claims when woken over {@link Addresses#DOWNLOADS_WAKE}, on a slow poll
 * (the claim also takes over jobs whose worker died) and whenever a job ends; renews the leases of
 * running jobs; stops a job at once when a cancel names it (the row's cancel flag, read at every
 * progress write and renewal, covers a message that never arrives). On stop, running jobs are
 * abandoned and their leases released, so another worker resumes them straight away.
 */
public final class JobScheduler implements LeaseWorkLoop.Work<JobRun> {
  private static final Logger LOG = LoggerFactory.getLogger(JobScheduler.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private final JobTools tools;
  private final LeaseWorkLoop<JobRun> loop;

  public JobScheduler(JobTools tools) {
    this.tools = tools;
    this.loop = new LeaseWorkLoop<>(tools.vertx(), new LeaseWorkLoop.Settings("download job", Addresses.DOWNLOADS_WAKE,
        Addresses.DOWNLOADS_CANCEL, tools.config().concurrency(), tools.config().pollInterval(),
        Duration.ofMillis(Math.max(250, tools.config().lease().toMillis() / 3))), this);
  }

  public Future<Void> start() {
    return loop.start();
  }

  /** Abandons running jobs and hands their leases back; waits a little for their runs to settle. */
  public Future<Void> stop() {
    return loop.stop(STOP_GRACE);
  }

  /** One job at a time (the queue's claim takes the oldest), each announced as it is taken. */
  @Override
  public Future<List<JobRun>> claim(int limit) {
    return claimMore(limit, new ArrayList<>());
  }

  private Future<List<JobRun>> claimMore(int limit, List<JobRun> claimed) {
    if (claimed.size() >= limit) {
      return Future.succeededFuture(claimed);
    }
    return tools.queue().claim()
        .compose(next -> {
          if (next.isEmpty()) {
            return Future.succeededFuture(claimed);
          }
          tools.eventsCommitted().run();
          JobRun run = new JobRun(tools, next.get());
          LOG.info("download job {} claimed (attempt {})", run.id(), next.get().attempts());
          claimed.add(run);
          return claimMore(limit, claimed);
        })
        // The jobs already claimed are ours: run them rather than leave their leases to expire.
        .recover(failure -> claimed.isEmpty() ? Future.failedFuture(failure) : Future.succeededFuture(claimed));
  }

  @Override
  public long id(JobRun run) {
    return run.id();
  }

  @Override
  public Future<Void> run(JobRun run) {
    return run.run();
  }

  @Override
  public Future<Map<Long, LeaseState>> renew(Set<Long> ids) {
    Map<Long, LeaseState> states = new HashMap<>();
    return Future.join(ids.stream().map(id -> tools.queue().renew(id)
            .onSuccess(state -> states.put(id, state))
            .onFailure(failure -> LOG.warn("download job {}: could not renew the lease: {}", id, failure.getMessage())))
        .toList())
        .transform(renewed -> Future.succeededFuture(states));
  }

  @Override
  public void cancel(JobRun run) {
    run.cancel();
  }

  @Override
  public void leaseLost(JobRun run) {
    run.leaseChecked(LeaseState.LOST);
  }

  @Override
  public void release(JobRun run) {
    run.abandon();
  }

  @Override
  public Future<Void> handBack(List<JobRun> runs) {
    return Future.join(runs.stream().map(run -> tools.queue().release(run.id())).toList()).mapEmpty();
  }
}

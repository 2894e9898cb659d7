package studio.downloads.queue;

/** What a lease-holding write learned: whether this worker still holds the job, and whether it was asked to stop. */
public record LeaseState(boolean held, boolean cancelRequested) {
  public static final LeaseState LOST = new LeaseState(false, false);
}

package studio.runtime.lease;

/** What a lease-holding write learned: whether this worker still holds the item, and whether it was asked to stop. */
public record LeaseState(boolean held, boolean cancelRequested) {
  public static final LeaseState LOST = new LeaseState(false, false);
}

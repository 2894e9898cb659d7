package studio.contract.bus;

/** Redis names that producers outside the JVM use; the hub's own keys stay private to the hub. */
public final class RedisStreams {
  /** Stream that workers with only Redis append drafts to ({@code XADD studio:rt:ingress * draft <json>}). */
  public static final String INGRESS = "studio:rt:ingress";
  /** The field of an ingress stream entry that holds the draft JSON. */
  public static final String INGRESS_FIELD = "draft";

  private RedisStreams() {
  }
}

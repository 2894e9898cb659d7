package studio.contract.bus;

/** Redis names that producers outside the JVM use; the hub's own keys stay private to the hub. */
public final class RedisStreams {
  /** Stream that workers with only Redis append drafts to ({@code XADD studio:rt:ingress * draft <json>}). */
  public static final String INGRESS = "studio:rt:ingress";
  /** The field of an ingress stream entry that holds the draft JSON. */
  public static final String INGRESS_FIELD = "draft";
  /**
   * The ingress reader lease: the consumer name ({@code hub-<pid>-<uuid>}) of the one hub instance
   * that reads {@link #INGRESS} now, with a TTL ({@code STUDIO_RT_INGRESS_LEASE_TTL}). One reader at a
   * time is what keeps drafts in the order workers added them; when it expires another hub takes over.
   * Its hash tag is the stream's name, so on a Redis Cluster the lease-checking scripts that touch
   * both run on the stream's slot ({@code {studio:rt:ingress}:reader}).
   */
  public static final String INGRESS_READER = "{" + INGRESS + "}:reader";
  /**
   * Where the hubs park ingress entries that can never be published (an invalid draft, or one that
   * failed on every delivery): the entry's own fields plus {@link #DEAD_ENTRY_FIELD},
   * {@link #DEAD_ERROR_FIELD} and {@link #DEAD_DELIVERIES_FIELD}. Re-add one with {@code XADD
   * studio:rt:ingress * draft <its draft>} once its cause is fixed.
   */
  public static final String INGRESS_DEAD_LETTERS = INGRESS + ":dead";
  /** The dead entry's id in {@link #INGRESS}. */
  public static final String DEAD_ENTRY_FIELD = "dead_entry";
  /** Why it could not be published. */
  public static final String DEAD_ERROR_FIELD = "dead_error";
  /** How often it had been delivered to a hub when it was parked. */
  public static final String DEAD_DELIVERIES_FIELD = "dead_deliveries";

  private RedisStreams() {
  }
}

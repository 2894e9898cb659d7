package studio.contract.bus;

/** Every event-bus address, declared once. Bodies are JSON objects unless stated. */
public final class Addresses {
  /** Request/reply: body a draft event, reply the sequenced envelope or a failure with an {@code ErrorCode}. */
  public static final String PUBLISH = "studio.rt.publish";
  /**
   * Request/reply: body {@code {"rooms": ["task:1", ...]}}, reply {@code {"positions": [{"room", "offset",
   * "epoch"}]}}: where each room stands, so a page can hydrate and then subscribe with {@code since}.
   */
  public static final String ROOM_POSITIONS = "studio.rt.positions";
  /**
   * Request/reply: empty body, reply the answering hub process's counters (connections by transport,
   * subscriptions, rooms, events published and delivered), as its {@code <rt-path>/stats} shows them.
   */
  public static final String HUB_STATS = "studio.rt.stats";
  /**
   * Prefix of one hub instance's Socket.IO address (the prefix plus the owner part of an Engine.IO
   * session id): request/reply, a long-polling request for a session that instance owns, forwarded by
   * the replica the proxy sent it to. Body {@code {method, sid, body}}, reply {@code {status, body}}.
   */
  public static final String SOCKETIO_OWNER_PREFIX = "studio.rt.socketio.";
  /** Publish: wakes task runners when new work is queued. */
  public static final String TASKS_WAKE = "studio.tasks.wake";
  /** Publish: a {@link CancelRequest} naming a task asks the runner holding it to stop it. */
  public static final String TASKS_CANCEL = "studio.tasks.cancel";
  /** Publish: wakes download workers when a job is queued. */
  public static final String DOWNLOADS_WAKE = "studio.downloads.wake";
  /** Publish: a {@link CancelRequest} naming a job asks the worker holding it to stop it. */
  public static final String DOWNLOADS_CANCEL = "studio.downloads.cancel";
  /**
   * Local send (this process only), empty body: web committed outbox rows; the process's one outbox
   * relay (web's housekeeping) publishes them now rather than at its next poll.
   */
  public static final String OUTBOX_WAKE = "studio.outbox.wake";

  private Addresses() {
  }
}

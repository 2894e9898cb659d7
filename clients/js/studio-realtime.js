/*
 * Studio Runtime realtime client, wire protocol v1 (docs/protocol.md, docs/client.md).
 *
 * One ES module with no dependencies: raw WebSocket first; SockJS (loaded only when needed) and
 * then the hub's stateless long-poll only after a verified failure; resume with per-room offsets
 * on every reconnect, so a page sees every event of its rooms once and in order.
 */

export const CONTRACT_VERSION = 'v1';
export const TRANSPORTS = Object.freeze(['websocket', 'sockjs', 'polling']);

export const DEFAULTS = Object.freeze({
  path: '/rt',
  transports: TRANSPORTS,
  connectTimeoutMs: 10000,
  graceMs: 10000,
  probeIntervalMs: 60000,
  backoffBaseMs: 500,
  backoffMaxMs: 15000,
  pongTimeoutMs: 10000,
  pollRequestTimeoutMs: 45000,
  tokenRefreshMarginMs: 30000,
  sockjsTransports: undefined,
});

const OPEN = 1;
const NORMAL_CLOSE = 1000;
const ABNORMAL_CLOSE = 1006;
const DRAINING = 4000;
const TOKEN_EXPIRED = 4501;
const RECENT_EVENT_IDS = 4096;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Opens a client and starts connecting; see {@link RealtimeClient}. */
export function connect(options) {
  return new RealtimeClient(options).start();
}

/**
 * A connection to the hub that survives reconnects and transport changes. Status states:
 * `connecting` (never live yet), `live` (greeted, authenticated and subscribed), `reconnecting`,
 * `stopped` (closed by the page, or refused in a way a retry cannot fix: close codes 4500-4999).
 */
export class RealtimeClient {
  #options;
  #baseUrl;
  #tokenProvider;
  #token;
  #tokenTimer = null;
  #rooms = new Map();
  #versions = new Map();
  #recentIds = new Set();
  #transportIndex = 0;
  #link = null;
  #probeLink = null;
  #probeTimer = null;
  #outageTimer = null;
  #reconnectTimer = null;
  #attempt = 0;
  #everLive = false;
  #live = false;
  #stopped = false;
  #renewedAfterRefusal = false;
  #status = { transport: null, state: 'connecting', attempt: 0 };

  constructor(options = {}) {
    if (!options.token && typeof options.tokenProvider !== 'function') {
      throw new TypeError('connect: a token or a tokenProvider function is required');
    }
    if (typeof options.onEvent !== 'function') {
      throw new TypeError('connect: an onEvent(event, meta) callback is required');
    }
    // An option given as undefined (e.g. from an unset page parameter) keeps its default.
    this.#options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
    const transports = this.#options.transports;
    if (!Array.isArray(transports) || transports.length === 0 || transports.some((t) => !TRANSPORTS.includes(t))) {
      throw new TypeError(`connect: transports must be a non-empty list of ${TRANSPORTS.join(', ')}`);
    }
    this.#baseUrl = hubBase(options.url);
    this.#tokenProvider = options.tokenProvider;
    this.#token = options.token;
    this.#addRooms(options.rooms ?? []);
    for (const [entity, version] of Object.entries(options.versions ?? {})) {
      this.#versions.set(entity, { version, shown: true });
    }
  }

  /** Starts connecting (called by {@link connect}). */
  start() {
    this.#open();
    this.#beginOutage(this.#options.connectTimeoutMs);
    return this;
  }

  /** Adds rooms: a list of names, or `{room: {offset, epoch}}` resume points (e.g. a hydration answer's `rooms`). */
  subscribe(rooms) {
    const added = this.#addRooms(rooms);
    if (added.length > 0 && this.#link?.live) {
      this.#subscribeOn(this.#link, added);
    }
  }

  unsubscribe(rooms) {
    const names = [].concat(rooms).filter((room) => this.#rooms.delete(room));
    if (names.length > 0 && this.#link?.live) {
      this.#link.unsubscribe(names);
    }
  }

  /** Tells the client which version of an entity the page shows, so older and equal events are dropped. */
  seen(entityKind, entityId, version) {
    const key = `${entityKind}:${entityId}`;
    const known = this.#versions.get(key);
    if (!known || version >= known.version) {
      this.#versions.set(key, { version, shown: true });
    }
  }

  /** The last offset and epoch delivered for a room (null before the first acknowledgement). */
  cursor(room) {
    const cursor = this.#rooms.get(room);
    return cursor ? { ...cursor } : null;
  }

  get status() {
    return { ...this.#status };
  }

  /**
   * Asks the hub for its clock and this connection's facts (docs/protocol.md "health"): resolves with
   * the hub's answer (`server_time_ms`, `server_time`, `node_id`, `session_id`, `transport`,
   * `rooms_subscribed`, `queued_bytes`, `queue_max_bytes`, `connected_since`, `token_expires_at`,
   * `contract_version`) plus `round_trip_ms` measured here. Rejects with a `code`: `not_connected`
   * while no link is live, `unsupported_transport` on long-poll (which sends no frames), or the hub's
   * error code (`rate_limited`, ...).
   */
  health() {
    const link = this.#link;
    if (!link?.live) {
      return Promise.reject(coded('not_connected', 'health: no live connection to the hub'));
    }
    return link.health();
  }

  /** Stops for good: closes the connection, cancels every timer. */
  close() {
    this.#stop(null);
  }

  // --- connection lifecycle ---------------------------------------------------------------------

  #open() {
    if (this.#stopped) {
      return;
    }
    const transport = this.#options.transports[this.#transportIndex];
    this.#setStatus({ transport, state: this.#everLive ? 'reconnecting' : 'connecting', attempt: this.#attempt,
      retryInMs: undefined });
    const link = transport === 'polling' ? new PollLink(this.#linkContext()) : new FrameLink(transport, this.#linkContext());
    this.#link = link;
    link.open();
  }

  /** What a link needs from the client, without access to the rest of it. */
  #linkContext() {
    return {
      options: this.#options,
      baseUrl: this.#baseUrl,
      token: () => this.#freshToken(),
      resumePoints: () => this.#resumePoints(),
      onLive: (link) => this.#onLive(link),
      onClosed: (link, close) => this.#onLinkClosed(link, close),
      onAck: (rooms) => this.#applyAck(rooms),
      onEvent: (link, frame) => this.#deliver(link, frame),
      onPollAnswer: (link, answer) => this.#applyPollAnswer(link, answer),
      onError: (error) => this.#options.onError?.(error),
    };
  }

  #onLive(link) {
    if (this.#stopped) {
      link.close();
      return;
    }
    if (link === this.#probeLink) {
      this.#adopt(link);
      return;
    }
    if (link !== this.#link) {
      return;
    }
    this.#live = true;
    this.#everLive = true;
    this.#attempt = 0;
    this.#renewedAfterRefusal = false;
    clearTimeout(this.#outageTimer);
    this.#outageTimer = null;
    this.#setStatus({ transport: link.transport, state: 'live', attempt: 0, sessionId: link.sessionId ?? null,
      detail: link.detail?.() ?? null, retryInMs: undefined, error: null });
    const missed = [...this.#rooms.keys()].filter((room) => !link.has(room));
    if (missed.length > 0) {
      this.#subscribeOn(link, missed);
    }
    this.#scheduleProbe();
  }

  /** Rooms added while live; rooms the token does not grant are dropped and reported, the rest go on. */
  #subscribeOn(link, rooms) {
    link.subscribe(rooms).catch((failure) => {
      if (failure?.code === 'forbidden_room' || failure?.code === 'invalid_room') {
        rooms.forEach((room) => this.#rooms.delete(room));
      }
    });
  }

  #onLinkClosed(link, close) {
    if (link === this.#probeLink) {
      this.#probeLink = null;
      this.#scheduleProbe();
      return;
    }
    if (link !== this.#link || this.#stopped) {
      return;
    }
    this.#link = null;
    const wasLive = this.#live;
    this.#live = false;
    this.#cancelProbe();
    this.#status = { ...this.#status, lastClose: close };
    if (close.code >= 4500 && close.code <= 4999) {
      this.#refused(close);
      return;
    }
    if (wasLive) {
      this.#beginOutage(this.#options.graceMs);
    }
    // A draining replica asks for an immediate move; a refusal while still draining waits as usual.
    const immediate = wasLive && close.code === DRAINING;
    this.#scheduleReconnect(immediate ? 0 : this.#backoff());
  }

  /** 4500-4999 mean "not with these credentials": a provider may supply new ones once, else stop. */
  #refused(close) {
    const tokenProblem = close.code === TOKEN_EXPIRED || close.errorCode === 'unauthenticated';
    if (tokenProblem && this.#tokenProvider && !this.#renewedAfterRefusal) {
      this.#renewedAfterRefusal = true;
      this.#token = null;
      this.#scheduleReconnect(0);
      return;
    }
    this.#stop(close);
  }

  #scheduleReconnect(delay) {
    clearTimeout(this.#reconnectTimer);
    this.#setStatus({ state: this.#everLive ? 'reconnecting' : 'connecting', attempt: this.#attempt, retryInMs: delay });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#open();
    }, delay);
  }

  /** Exponential backoff with equal jitter, so a crowd of clients does not return in step. */
  #backoff() {
    const { backoffBaseMs, backoffMaxMs } = this.#options;
    const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt += 1;
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  /**
   * A verified failure is an outage that outlasts its budget: no live link within the connect
   * timeout (never live on this transport) or within the grace period (was live). Only then does
   * the client move to the next transport; a shorter blip just reconnects.
   */
  #beginOutage(budgetMs) {
    if (this.#outageTimer || this.#transportIndex >= this.#options.transports.length - 1) {
      return;
    }
    this.#outageTimer = setTimeout(() => {
      this.#outageTimer = null;
      this.#fallBack();
    }, budgetMs);
  }

  #fallBack() {
    if (this.#live || this.#stopped || this.#transportIndex >= this.#options.transports.length - 1) {
      return;
    }
    this.#transportIndex += 1;
    this.#attempt = 0;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    const pending = this.#link;
    this.#link = null;
    pending?.close();
    this.#open();
    this.#beginOutage(this.#options.connectTimeoutMs);
  }

  /** On a fallback transport, tries WebSocket again now and then; it takes over once it is live. */
  #scheduleProbe() {
    this.#cancelProbe();
    if (this.#transportIndex === 0 || !this.#live || this.#stopped) {
      return;
    }
    const delay = this.#options.probeIntervalMs * (0.8 + Math.random() * 0.4);
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = null;
      this.#probeLink = new FrameLink(this.#options.transports[0], this.#linkContext());
      this.#probeLink.open();
    }, delay);
  }

  #cancelProbe() {
    clearTimeout(this.#probeTimer);
    this.#probeTimer = null;
    const probe = this.#probeLink;
    this.#probeLink = null;
    probe?.close();
  }

  /** The probe is live (subscribed with resume points); events from both links are deduplicated by offset. */
  #adopt(probe) {
    const previous = this.#link;
    this.#probeLink = null;
    this.#link = probe;
    this.#transportIndex = 0;
    previous?.close();
    this.#live = false;
    this.#onLive(probe);
  }

  #stop(close) {
    if (this.#stopped) {
      return;
    }
    this.#stopped = true;
    this.#live = false;
    clearTimeout(this.#outageTimer);
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#tokenTimer);
    this.#cancelProbe();
    const link = this.#link;
    this.#link = null;
    link?.close();
    this.#setStatus({ state: 'stopped', retryInMs: undefined, error: close });
  }

  #setStatus(changes) {
    this.#status = { ...this.#status, ...changes };
    try {
      this.#options.onStatus?.({ ...this.#status });
    } catch (e) {
      reportCallbackFailure('onStatus', e);
    }
  }

  // --- rooms, resume and delivery ---------------------------------------------------------------

  #addRooms(rooms) {
    const entries = Array.isArray(rooms) ? rooms.map((room) => [room, null]) : Object.entries(rooms ?? {});
    const added = [];
    for (const [room, since] of entries) {
      if (typeof room !== 'string' || !room.includes(':')) {
        throw new TypeError(`connect: invalid room ${JSON.stringify(room)} (expected kind:id, e.g. task:42)`);
      }
      if (!this.#rooms.has(room)) {
        this.#rooms.set(room, since && Number.isInteger(since.offset) ? { offset: since.offset, epoch: since.epoch ?? null } : null);
        added.push(room);
      }
    }
    return added;
  }

  /** Every room with its last delivered position, null where none is known yet. */
  #resumePoints() {
    return new Map(this.#rooms);
  }

  #applyAck(rooms) {
    for (const [room, position] of Object.entries(rooms ?? {})) {
      if (!this.#rooms.has(room) || !Number.isInteger(position.offset)) {
        continue;
      }
      const cursor = this.#rooms.get(room);
      if (position.recovered === false) {
        this.#rooms.set(room, { offset: position.offset, epoch: position.epoch });
        this.#rehydrate(room);
      } else if (position.recovered === true) {
        // Replay follows; a resume from offset 0 may be honoured in the room's current epoch.
        if (cursor && cursor.epoch !== position.epoch) {
          this.#rooms.set(room, { offset: cursor.offset, epoch: position.epoch });
        }
      } else if (!cursor || cursor.epoch !== position.epoch) {
        this.#rooms.set(room, { offset: position.offset, epoch: position.epoch });
      }
    }
  }

  /** A poll answer: the events in order, then each room's new resume point. */
  #applyPollAnswer(link, answer) {
    const rooms = answer.rooms ?? {};
    for (const [room, position] of Object.entries(rooms)) {
      if (position.recovered === false && this.#rooms.has(room)) {
        // The events that follow start after the room's current position; the page re-reads the rest.
        this.#rooms.set(room, null);
        this.#rehydrate(room);
      }
    }
    for (const frame of answer.events ?? []) {
      this.#deliver(link, frame);
    }
    for (const [room, position] of Object.entries(rooms)) {
      const cursor = this.#rooms.get(room);
      if (this.#rooms.has(room) && (!cursor || cursor.epoch !== position.epoch || position.offset > cursor.offset)) {
        this.#rooms.set(room, { offset: position.offset, epoch: position.epoch });
      }
    }
  }

  /**
   * Once per room offset (replays after a reconnect and overlapping links repeat offsets), once per
   * event id (an event for two subscribed rooms arrives twice), and never older than what the page shows.
   */
  #deliver(link, frame) {
    const { room, offset, epoch, event } = frame;
    if ((link !== this.#link && link !== this.#probeLink) || !this.#rooms.has(room) || !Number.isInteger(offset) || !event) {
      return;
    }
    const cursor = this.#rooms.get(room);
    if (cursor && cursor.epoch === epoch && offset <= cursor.offset) {
      return;
    }
    const epochChanged = cursor && cursor.epoch != null && cursor.epoch !== epoch;
    this.#rooms.set(room, { offset, epoch });
    if (epochChanged) {
      this.#rehydrate(room);
    }
    if (!this.#firstSighting(event.event_id) || this.#stale(event)) {
      return;
    }
    try {
      this.#options.onEvent(event, { room, offset, epoch, conflated: frame.conflated ?? 0, transport: link.transport });
    } catch (e) {
      reportCallbackFailure('onEvent', e);
    }
  }

  #firstSighting(eventId) {
    if (eventId == null) {
      return true;
    }
    if (this.#recentIds.has(eventId)) {
      return false;
    }
    this.#recentIds.add(eventId);
    if (this.#recentIds.size > RECENT_EVENT_IDS) {
      this.#recentIds.delete(this.#recentIds.values().next().value);
    }
    return true;
  }

  /**
   * Older than the entity's last version is stale; equal is stale only when the page shows that
   * version (several events of one state change share its version and are all news).
   */
  #stale(event) {
    const version = event.entity_version;
    if (!Number.isInteger(version)) {
      return false;
    }
    const key = `${event.entity_kind}:${event.entity_id}`;
    const known = this.#versions.get(key);
    if (known && (version < known.version || (version === known.version && known.shown))) {
      return true;
    }
    if (!known || version > known.version) {
      this.#versions.set(key, { version, shown: false });
    }
    return false;
  }

  #rehydrate(room) {
    try {
      const result = this.#options.onRehydrate?.(room);
      Promise.resolve(result).catch((e) => reportCallbackFailure('onRehydrate', e));
    } catch (e) {
      reportCallbackFailure('onRehydrate', e);
    }
  }

  // --- tokens -----------------------------------------------------------------------------------

  /** The current token, asking the provider first when there is none or it is about to expire. */
  async #freshToken() {
    if (!this.#tokenProvider) {
      return this.#token;
    }
    const expiry = tokenExpiry(this.#token);
    if (!this.#token || (expiry && expiry.exp - Date.now() < this.#refreshMargin(expiry))) {
      await this.#renewToken();
    }
    return this.#token;
  }

  async #renewToken() {
    const token = await this.#tokenProvider();
    if (typeof token !== 'string' || token.length === 0) {
      throw new Error('tokenProvider returned no token');
    }
    this.#token = token;
    this.#scheduleTokenRefresh();
    return token;
  }

  #refreshMargin(expiry) {
    const lifetime = expiry.exp - (expiry.iat ?? Date.now());
    return Math.min(this.#options.tokenRefreshMarginMs, Math.max(1000, lifetime / 3));
  }

  /** Renews before expiry and re-authenticates the open connection, so the hub never cuts it for an old token. */
  #scheduleTokenRefresh() {
    clearTimeout(this.#tokenTimer);
    const expiry = tokenExpiry(this.#token);
    if (!expiry || this.#stopped) {
      return;
    }
    // setTimeout fires at once for delays past 2^31-1 ms; a long-lived token is simply checked again later.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, expiry.exp - Date.now() - this.#refreshMargin(expiry)));
    if (delay === MAX_TIMER_MS) {
      this.#tokenTimer = setTimeout(() => this.#scheduleTokenRefresh(), delay);
      return;
    }
    this.#tokenTimer = setTimeout(() => {
      this.#renewToken()
        .then((token) => {
          this.#link?.reauthenticate(token);
          this.#probeLink?.reauthenticate(token);
        })
        .catch((e) => {
          this.#options.onError?.({ code: 'token_refresh_failed', message: String(e?.message ?? e) });
          this.#tokenTimer = setTimeout(() => this.#scheduleTokenRefresh(), Math.min(5000, Math.max(500, delay / 2)));
        });
    }, delay);
  }
}

// --- links: one live path to the hub ------------------------------------------------------------

/**
 * A WebSocket or SockJS connection speaking the frame protocol: `connected`, then `auth` (acked),
 * then `subscribe` with resume points (acked), then events; pings keep it alive and prove it is.
 */
class FrameLink {
  #ctx;
  #socket = null;
  #nextId = 1;
  #pending = new Map();
  #subscribed = new Set();
  #pingTimer = null;
  #attemptTimer = null;
  #lastInbound = 0;
  #pingIntervalMs = 25000;
  #lastError = null;
  #closed = false;

  constructor(transport, ctx) {
    this.transport = transport;
    this.#ctx = ctx;
    this.live = false;
    this.sessionId = null;
  }

  open() {
    // A hung handshake (a proxy holding the upgrade) counts as a failed attempt.
    this.#attemptTimer = setTimeout(() => this.#fail(ABNORMAL_CLOSE, 'not live within the connect timeout'),
      this.#ctx.options.connectTimeoutMs);
    this.#createSocket().then((socket) => {
      if (this.#closed) {
        safeClose(socket);
        return;
      }
      this.#socket = socket;
      socket.onmessage = (message) => this.#onMessage(message.data);
      socket.onclose = (event) => this.#onSocketClosed(event.code, event.reason);
      socket.onerror = () => {};
    }).catch((e) => this.#fail(ABNORMAL_CLOSE, String(e?.message ?? e)));
  }

  async #createSocket() {
    const { baseUrl, options } = this.#ctx;
    if (this.transport === 'websocket') {
      return new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${options.path}/ws`);
    }
    const SockJS = await loadSockJS(options);
    return new SockJS(`${baseUrl}${options.path}/sockjs`, null,
      options.sockjsTransports ? { transports: options.sockjsTransports } : undefined);
  }

  detail() {
    return this.transport === 'sockjs' ? this.#socket?.transport ?? null : null;
  }

  has(room) {
    return this.#subscribed.has(room);
  }

  /** Subscribes with each room's resume point; the ack is applied before any event that follows it. */
  subscribe(rooms) {
    const resume = this.#ctx.resumePoints();
    const since = {};
    for (const room of rooms) {
      this.#subscribed.add(room);
      const point = resume.get(room);
      if (point) {
        since[room] = { offset: point.offset, epoch: point.epoch };
      }
    }
    const frame = { op: 'subscribe', rooms };
    if (Object.keys(since).length > 0) {
      frame.since = since;
    }
    return this.#request(frame, (ack) => this.#ctx.onAck(ack.rooms));
  }

  unsubscribe(rooms) {
    rooms.forEach((room) => this.#subscribed.delete(room));
    this.#request({ op: 'unsubscribe', rooms }).catch(() => {});
  }

  reauthenticate(token) {
    if (this.live) {
      this.#request({ op: 'auth', token }).catch(() => {});
    }
  }

  health() {
    const sent = Date.now();
    return this.#request({ op: 'health' }).then((ack) => ({ ...ack.health, round_trip_ms: Date.now() - sent }));
  }

  close() {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#cleanup();
    safeClose(this.#socket);
  }

  #onMessage(data) {
    if (this.#closed) {
      return;
    }
    this.#lastInbound = Date.now();
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      this.#ctx.onError({ code: 'bad_frame', message: 'the hub sent a frame that is not JSON' });
      return;
    }
    switch (frame.op) {
      case 'connected':
        this.#onConnected(frame);
        break;
      case 'event':
        // SockJS may hand over an ack and the events after it in one task: both are handled in order here.
        this.#ctx.onEvent(this, frame);
        break;
      case 'ack':
        this.#settle(frame.id, (request) => request.resolve(frame));
        break;
      case 'error':
        this.#lastError = frame;
        this.#ctx.onError({ code: frame.code, message: frame.message, id: frame.id ?? null });
        this.#settle(frame.id, (request) => request.reject(frame));
        break;
      case 'draining':
        this.#fail(DRAINING, 'draining');
        break;
      default:
        break;
    }
  }

  #onConnected(frame) {
    this.sessionId = frame.session_id ?? null;
    this.#pingIntervalMs = frame.ping_interval_ms > 0 ? frame.ping_interval_ms : this.#pingIntervalMs;
    this.#startPinging();
    this.#ctx.token()
      .then((token) => this.#request({ op: 'auth', token }))
      .then(() => {
        const rooms = [...this.#ctx.resumePoints().keys()];
        return rooms.length > 0 ? this.subscribe(rooms) : undefined;
      })
      .then(() => {
        if (!this.#closed) {
          clearTimeout(this.#attemptTimer);
          this.live = true;
          this.#ctx.onLive(this);
        }
      })
      .catch((failure) => this.#handshakeFailed(failure));
  }

  /** Refusals a retry cannot fix end as 4500 (the hub closes for a bad token anyway); the rest reconnect. */
  #handshakeFailed(failure) {
    if (this.#closed) {
      return;
    }
    const code = failure?.op === 'error' ? failure.code : null;
    if (code === 'unauthenticated' || code === 'forbidden_room' || code === 'invalid_room') {
      this.#fail(4500, failure.message, code);
    } else {
      this.#fail(ABNORMAL_CLOSE, String(failure?.message ?? failure?.code ?? failure));
    }
  }

  /** Pings every interval; a link silent for an interval plus the pong timeout is dead, whatever the socket says. */
  #startPinging() {
    this.#lastInbound = Date.now();
    const check = Math.min(this.#pingIntervalMs, 5000);
    let sincePing = 0;
    this.#pingTimer = setInterval(() => {
      if (Date.now() - this.#lastInbound > this.#pingIntervalMs + this.#ctx.options.pongTimeoutMs) {
        this.#fail(ABNORMAL_CLOSE, 'no frame from the hub within the ping interval');
        return;
      }
      sincePing += check;
      if (sincePing >= this.#pingIntervalMs) {
        sincePing = 0;
        this.#send({ op: 'ping', id: String(this.#nextId++) });
      }
    }, check);
  }

  /** Sends a frame with a fresh id; `onAck` runs synchronously on the ack, before later frames. */
  #request(frame, onAck) {
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: (ack) => resolve(onAck ? onAck(ack) : ack), reject });
      if (!this.#send({ ...frame, id })) {
        this.#pending.delete(id);
        reject(new Error('connection is not open'));
      }
    });
  }

  #settle(id, action) {
    const request = id == null ? undefined : this.#pending.get(String(id));
    if (request) {
      this.#pending.delete(String(id));
      action(request);
    }
  }

  #send(frame) {
    if (this.#closed || !this.#socket || this.#socket.readyState !== OPEN) {
      return false;
    }
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  #onSocketClosed(code, reason) {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#cleanup();
    this.#ctx.onClosed(this, { code, reason: reason || this.#lastError?.message || '', errorCode: this.#lastError?.code ?? null });
  }

  #fail(code, reason, errorCode = null) {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#cleanup();
    safeClose(this.#socket);
    this.#ctx.onClosed(this, { code, reason, errorCode });
  }

  #cleanup() {
    clearTimeout(this.#attemptTimer);
    clearInterval(this.#pingTimer);
    for (const request of this.#pending.values()) {
      request.reject(new Error('connection closed'));
    }
    this.#pending.clear();
  }
}

/**
 * The last resort: `GET <path>/poll?rooms=..&since=..` with the token in `Authorization: Bearer`,
 * stateless, so any replica answers and no sticky sessions are needed. The token stays out of the
 * URL, so proxies and access logs never record it; across origins the hub answers the CORS
 * preflight this header needs (cached for ten minutes).
 */
class PollLink {
  /** The hub answers refusals at once and holds only accepted polls: one held this long is live. */
  static HELD_MS = 1000;
  #ctx;
  #controller = null;
  #roomsChanged = null;
  #closed = false;
  #restart = false;

  constructor(ctx) {
    this.transport = 'polling';
    this.#ctx = ctx;
    this.live = false;
    this.sessionId = null;
  }

  open() {
    this.#loop();
  }

  has() {
    return true;
  }

  /** The next request names the new rooms; the one in flight is cut short. */
  subscribe() {
    if (this.#controller) {
      this.#restart = true;
      this.#controller.abort();
    }
    this.#roomsChanged?.();
    return Promise.resolve();
  }

  unsubscribe() {
    this.subscribe();
  }

  reauthenticate() {
    // The next request carries the new token.
  }

  /** Long-poll carries no client frames; the hub's `/health` endpoints serve operators instead. */
  health() {
    return Promise.reject(coded('unsupported_transport', 'health: not offered over long-poll, only over WebSocket and SockJS'));
  }

  close() {
    this.#closed = true;
    this.#controller?.abort();
    this.#roomsChanged?.();
  }

  async #loop() {
    while (!this.#closed) {
      let answer;
      try {
        answer = await this.#poll();
      } catch (failure) {
        if (this.#closed) {
          return;
        }
        if (this.#restart) {
          this.#restart = false;
          continue;
        }
        this.#closed = true;
        this.#ctx.onClosed(this, failure.close ?? { code: ABNORMAL_CLOSE, reason: String(failure?.message ?? failure), errorCode: null });
        return;
      }
      if (this.#closed) {
        return;
      }
      this.#ctx.onPollAnswer(this, answer);
      this.#becomeLive();
    }
  }

  async #poll() {
    const { baseUrl, options } = this.#ctx;
    const token = await this.#ctx.token();
    const resume = this.#ctx.resumePoints();
    if (resume.size === 0) {
      this.#becomeLive();
      await new Promise((resolve) => { this.#roomsChanged = resolve; });
      this.#roomsChanged = null;
      return { rooms: {}, events: [] };
    }
    const since = {};
    for (const [room, point] of resume) {
      if (point) {
        since[room] = { offset: point.offset, epoch: point.epoch };
      }
    }
    const query = new URLSearchParams({ rooms: [...resume.keys()].join(','), since: JSON.stringify(since) });
    const controller = new AbortController();
    this.#controller = controller;
    const timeout = setTimeout(() => controller.abort(), options.pollRequestTimeoutMs);
    const held = setTimeout(() => this.#becomeLive(), PollLink.HELD_MS);
    try {
      const response = await fetch(`${baseUrl}${options.path}/poll?${query}`, {
        signal: controller.signal, cache: 'no-store', credentials: 'omit',
        headers: { Authorization: `Bearer ${token}` },
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        throw Object.assign(new Error(`poll refused: HTTP ${response.status}`), { close: pollRefusal(response.status, body) });
      }
      if (!body || typeof body !== 'object') {
        throw new Error('poll answer is not a JSON object');
      }
      return body;
    } finally {
      this.#controller = null;
      clearTimeout(timeout);
      clearTimeout(held);
    }
  }

  #becomeLive() {
    if (!this.live && !this.#closed) {
      this.live = true;
      this.#ctx.onLive(this);
    }
  }
}

/** Poll refusals in close-code terms: 4xx will not get better by retrying (4500), 5xx might (1006). */
function pollRefusal(status, body) {
  const error = body?.error ?? {};
  const code = status >= 400 && status < 500 && status !== 408 && status !== 429 ? 4500 : ABNORMAL_CLOSE;
  return { code, reason: error.message ?? `HTTP ${status}`, errorCode: error.code ?? null, status };
}

// --- helpers ------------------------------------------------------------------------------------

function hubBase(url) {
  const base = url ?? (typeof location !== 'undefined' ? location.origin : undefined);
  if (!base) {
    throw new TypeError('connect: url (the hub origin, e.g. https://hub.example.com) is required outside a page');
  }
  const resolved = new URL(base, typeof location !== 'undefined' ? location.href : undefined);
  return `${resolved.protocol}//${resolved.host}${resolved.pathname.replace(/\/+$/, '')}`;
}

/** `exp` (and `iat`) of a JWT in milliseconds, or null when it is not a readable JWT. */
export function tokenExpiry(token) {
  try {
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return Number.isFinite(claims.exp) ? { exp: claims.exp * 1000, iat: Number.isFinite(claims.iat) ? claims.iat * 1000 : null } : null;
  } catch {
    return null;
  }
}

let sockjsLoading = null;

/** SockJS from the options, the page, or the vendored copy beside this module, loaded on first need. */
function loadSockJS(options) {
  if (options.SockJS) {
    return Promise.resolve(options.SockJS);
  }
  if (globalThis.SockJS) {
    return Promise.resolve(globalThis.SockJS);
  }
  if (typeof document === 'undefined') {
    return Promise.reject(new Error('SockJS is not loaded: pass options.SockJS (import SockJS from "sockjs-client")'));
  }
  sockjsLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = options.sockjsUrl ?? new URL('./vendor/sockjs.min.js', import.meta.url).href;
    script.async = true;
    script.onload = () => (globalThis.SockJS ? resolve(globalThis.SockJS) : reject(new Error(`${script.src} did not define SockJS`)));
    script.onerror = () => {
      sockjsLoading = null;
      script.remove();
      reject(new Error(`could not load SockJS from ${script.src}`));
    };
    document.head.appendChild(script);
  });
  return sockjsLoading;
}

function coded(code, message) {
  return Object.assign(new Error(message), { code });
}

function safeClose(socket) {
  try {
    if (socket && socket.readyState <= OPEN) {
      socket.close(NORMAL_CLOSE, 'client closed');
    }
  } catch {
    // already closing
  }
}

function reportCallbackFailure(name, error) {
  // A page's callback bug must not break the connection; it still belongs in the console.
  console.error(`studio-realtime: ${name} threw`, error);
}

// The client's rules against a scripted hub in Node (no network): each test drives the frames a real
// hub sends (docs/protocol.md) and checks what the page is told.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, tokenExpiry } from '../studio-realtime.js';

/** A WebSocket the test plays the hub for: greets, acks auth and subscribe, and lets the test send the rest. */
class ScriptedSocket {
  static opened = [];
  /** What the hub acks for a subscribe: by default the resume point is honoured, or the room starts at 0. */
  static ackRooms = (frame) => Object.fromEntries(frame.rooms.map((room) => {
    const since = frame.since?.[room];
    return [room, since ? { offset: since.offset, epoch: since.epoch, recovered: true } : { offset: 0, epoch: 'e1' }];
  }));

  /** What the hub answers to health: by default an ack with a few of its facts. */
  static healthAnswer = (frame) => ({ op: 'ack', id: frame.id, health: { server_time_ms: 1234, node_id: 'n1', transport: 'websocket' } });

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    ScriptedSocket.opened.push(this);
    setImmediate(() => {
      this.readyState = 1;
      this.hubSends({ op: 'connected', session_id: `s${ScriptedSocket.opened.length}`, contract_version: 'v1', ping_interval_ms: 25000 });
    });
  }

  send(text) {
    const frame = JSON.parse(text);
    this.sent.push(frame);
    if (frame.op === 'auth') {
      this.hubSends({ op: 'ack', id: frame.id, rooms: {} });
    } else if (frame.op === 'subscribe') {
      this.hubSends({ op: 'ack', id: frame.id, rooms: ScriptedSocket.ackRooms(frame) });
    } else if (frame.op === 'health') {
      this.hubSends(ScriptedSocket.healthAnswer(frame));
    }
  }

  close() {
    this.readyState = 3;
  }

  hubSends(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  hubCloses(code, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}
globalThis.WebSocket = ScriptedSocket;

async function until(what, condition, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await delay(5);
  }
}

const token = 'header.eyJleHAiOjk5OTk5OTk5OTksInJvb21zIjpbIioiXX0.signature';
let client;

function open(options = {}) {
  const seen = { events: [], statuses: [], rehydrated: [] };
  client = connect({
    url: 'http://hub.test', token, rooms: ['task:1'], backoffBaseMs: 400, backoffMaxMs: 400,
    onEvent: (event, meta) => seen.events.push({ id: event.event_id, ...meta }),
    onStatus: (status) => seen.statuses.push(status),
    onRehydrate: (room) => seen.rehydrated.push(room),
    ...options,
  });
  return seen;
}

function eventFrame(room, offset, id, extra = {}) {
  return { op: 'event', room, offset, epoch: 'e1', event: { event_id: id, entity_kind: 'task', entity_id: '1', ...extra } };
}

const latest = () => ScriptedSocket.opened.at(-1);
const live = (seen) => seen.statuses.at(-1)?.state === 'live';

afterEach(() => {
  client?.close();
  ScriptedSocket.opened = [];
});

test('connects over WebSocket to <url>/rt/ws, authenticates with a frame, then subscribes', async () => {
  const seen = open();
  await until('live', () => live(seen));
  assert.equal(latest().url, 'ws://hub.test/rt/ws');
  assert.deepEqual(latest().sent.map((f) => f.op), ['auth', 'subscribe']);
  assert.equal(latest().sent[0].token, token);
  assert.deepEqual(latest().sent[1].rooms, ['task:1']);
  assert.equal(latest().sent[1].since, undefined, 'no resume point yet, so no since');
});

test('after a drop it resubscribes with since = the last delivered offset and drops the replayed duplicates', async () => {
  const seen = open();
  await until('live', () => live(seen));
  latest().hubSends(eventFrame('task:1', 1, 'a'));
  latest().hubSends(eventFrame('task:1', 2, 'b'));
  latest().hubCloses(1006);
  await until('second connection live', () => ScriptedSocket.opened.length === 2 && live(seen));
  assert.deepEqual(latest().sent[1].since, { 'task:1': { offset: 2, epoch: 'e1' } });
  latest().hubSends(eventFrame('task:1', 2, 'b'));
  latest().hubSends(eventFrame('task:1', 3, 'c'));
  assert.deepEqual(seen.events.map((e) => e.id), ['a', 'b', 'c']);
});

test('an event addressed to two subscribed rooms reaches the page once', async () => {
  const seen = open({ rooms: ['task:1', 'run:7'] });
  await until('live', () => live(seen));
  latest().hubSends(eventFrame('task:1', 1, 'shared'));
  latest().hubSends(eventFrame('run:7', 1, 'shared'));
  assert.deepEqual(seen.events.map((e) => e.id), ['shared']);
  assert.deepEqual(client.cursor('run:7'), { offset: 1, epoch: 'e1' }, 'both rooms still advance');
});

test('recovered:false and an epoch change on a live stream both call the page re-hydrate hook', async () => {
  const honour = ScriptedSocket.ackRooms;
  ScriptedSocket.ackRooms = () => ({ 'task:1': { offset: 4, epoch: 'e1', recovered: false } });
  try {
    const seen = open({ rooms: { 'task:1': { offset: 9, epoch: 'old' } } });
    await until('live', () => live(seen));
    assert.deepEqual(latest().sent[1].since, { 'task:1': { offset: 9, epoch: 'old' } });
    assert.deepEqual(seen.rehydrated, ['task:1']);
    latest().hubSends({ ...eventFrame('task:1', 1, 'x'), epoch: 'e2' });
    assert.deepEqual(seen.rehydrated, ['task:1', 'task:1']);
    assert.deepEqual(seen.events.map((e) => e.id), ['x']);
  } finally {
    ScriptedSocket.ackRooms = honour;
  }
});

test('close codes: 4000 after live reconnects at once, 1006 after a jittered backoff, 4501 without a provider stops', async () => {
  const seen = open();
  await until('live', () => live(seen));
  latest().hubSends({ op: 'draining', retry_after_ms: 250 });
  assert.equal(seen.statuses.at(-1).retryInMs, 0);
  await until('live again', () => ScriptedSocket.opened.length === 2 && live(seen));

  latest().hubCloses(1006);
  const backoff = seen.statuses.at(-1).retryInMs;
  assert.ok(backoff >= 200 && backoff <= 400, `backoff ${backoff} ms is within [base/2, base]`);
  await until('live a third time', () => ScriptedSocket.opened.length === 3 && live(seen));

  latest().hubSends({ op: 'error', code: 'unauthenticated', message: 'token expired' });
  latest().hubCloses(4501, 'token expired');
  assert.equal(seen.statuses.at(-1).state, 'stopped');
  assert.deepEqual(seen.statuses.at(-1).error, { code: 4501, reason: 'token expired', errorCode: 'unauthenticated' });
  assert.equal(seen.statuses.at(-1).retryInMs, undefined, 'no reconnect is scheduled');
});

test('entity versions: older and shown versions are dropped, same-version siblings from the stream are not', async () => {
  const seen = open({ versions: { 'task:1': 2 } });
  await until('live', () => live(seen));
  [1, 2, 3].forEach((version, i) => latest().hubSends(eventFrame('task:1', i + 1, `v${version}`, { entity_version: version })));
  latest().hubSends(eventFrame('task:1', 4, 'v3-sibling', { entity_version: 3 }));
  latest().hubSends(eventFrame('task:1', 5, 'v2-late', { entity_version: 2 }));
  assert.deepEqual(seen.events.map((e) => e.id), ['v3', 'v3-sibling']);
});

test('options are checked up front', () => {
  assert.throws(() => connect({ url: 'http://hub.test', rooms: [], onEvent() {} }), /token or a tokenProvider/);
  assert.throws(() => connect({ url: 'http://hub.test', token, rooms: [] }), /onEvent/);
  assert.throws(() => connect({ url: 'http://hub.test', token, rooms: ['nocolon'], onEvent() {} }), /invalid room/);
  assert.throws(() => connect({ url: 'http://hub.test', token, transports: ['carrier-pigeon'], onEvent() {} }), /transports/);
});

test('tokenExpiry reads exp and iat of a JWT in milliseconds and tolerates garbage', () => {
  const claims = Buffer.from(JSON.stringify({ exp: 2000, iat: 1000 })).toString('base64url');
  assert.deepEqual(tokenExpiry(`h.${claims}.s`), { exp: 2000000, iat: 1000000 });
  assert.equal(tokenExpiry('not a jwt'), null);
});

test('health() sends a health frame and resolves with the hub\'s answer plus the measured round trip', async () => {
  const seen = open();
  await assert.rejects(client.health(), { code: 'not_connected' }, 'nothing live yet');
  await until('live', () => live(seen));
  const health = await client.health();
  assert.equal(latest().sent.at(-1).op, 'health');
  assert.equal(typeof latest().sent.at(-1).id, 'string');
  assert.equal(health.server_time_ms, 1234);
  assert.equal(health.node_id, 'n1');
  assert.ok(Number.isInteger(health.round_trip_ms) && health.round_trip_ms >= 0);
});

test('health() rejects with the hub\'s error code, and the connection stays live', async () => {
  const answer = ScriptedSocket.healthAnswer;
  ScriptedSocket.healthAnswer = (frame) => ({ op: 'error', id: frame.id, code: 'rate_limited', message: 'slow down' });
  try {
    const seen = open();
    await until('live', () => live(seen));
    await assert.rejects(client.health(), { code: 'rate_limited' });
    assert.equal(seen.statuses.at(-1).state, 'live');
  } finally {
    ScriptedSocket.healthAnswer = answer;
  }
});

test('health() on the long-poll transport rejects as unsupported_transport', async () => {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => new Promise((resolve, reject) => {
    init.signal.addEventListener('abort', () => reject(new Error('aborted')));
  });
  try {
    const seen = open({ transports: ['polling'] });
    await until('live', () => live(seen), 3000);
    await assert.rejects(client.health(), { code: 'unsupported_transport' });
  } finally {
    client.close();
    globalThis.fetch = realFetch;
  }
});

// Pages written for Flask-SocketIO against the hub's Socket.IO endpoint, with the real npm
// socket.io-client v4 in node: two clustered hub replicas, subscribe with a forbidden room, receive,
// a replica killed and the page resuming on the other, and polling only through nginx round-robin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io } from 'socket.io-client';
import { freePort, HubProcess } from './support/hub-process.mjs';
import { Nginx } from './support/nginx.mjs';
import { freshTaskRoom, mintToken, publishAll } from './support/stack.mjs';
import { waitFor } from './support/wait.mjs';

let replicas = [];

before(async () => {
  const [hubA, hubB, clusterA, clusterB] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const members = `127.0.0.1:${clusterA},127.0.0.1:${clusterB}`;
  const clustered = (port) => ({
    STUDIO_CLUSTER: 'true', STUDIO_CLUSTER_HOST: '127.0.0.1', STUDIO_CLUSTER_PORT: String(port),
    STUDIO_CLUSTER_MEMBERS: members, STUDIO_RT_PING_INTERVAL: '2s', STUDIO_RT_PING_TIMEOUT: '2s',
  });
  replicas = await Promise.all([
    new HubProcess({ name: 'socketio-a', port: hubA, env: clustered(clusterA) }).start(),
    new HubProcess({ name: 'socketio-b', port: hubB, env: clustered(clusterB) }).start(),
  ]);
});

after(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
});

/** Connects socket.io-client to /rt as an old page did, and records every event it hears. */
function page(url, { token, transports, reconnection = false } = {}) {
  const socket = io(`${url}/rt`, { auth: { token }, transports, reconnection, forceNew: true });
  const heard = { generic: [], typed: [], draining: [], closing: [] };
  socket.on('rt.event', (event) => heard.generic.push(event));
  socket.on('node.task.updated', (envelope) => heard.typed.push(envelope));
  socket.on('rt.draining', (data) => heard.draining.push(data));
  socket.on('rt.closing', (data) => heard.closing.push(data));
  return { socket, heard };
}

async function connected(socket) {
  if (socket.connected) {
    return;
  }
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
}

describe('socket.io-client v4 against the hub', () => {
  test('connect, subscribe with one forbidden room, receive each event under its type and as rt.event', async () => {
    const room = freshTaskRoom();
    const { socket, heard } = page(replicas[0].url, { token: mintToken({ rooms: [room] }) });
    try {
      await connected(socket);
      const ack = await socket.timeout(5000).emitWithAck('rt.subscribe', { rooms: [room, 'task:not-granted'] });
      assert.equal(ack.rooms[room].offset, 0);
      assert.equal(ack.rooms['task:not-granted'].error.code, 'forbidden_room');
      const envelopes = await publishAll(room, [1, 2, 3], { hubUrl: replicas[1].url });
      await waitFor('three events', () => heard.generic.length === 3 && heard.typed.length === 3);
      assert.deepEqual(heard.generic.map((event) => event.offset), [1, 2, 3]);
      assert.deepEqual(heard.typed.map((envelope) => envelope.event_id), envelopes.map((envelope) => envelope.event_id));
      const health = await socket.timeout(5000).emitWithAck('rt.health');
      assert.deepEqual(health.rooms, [room]);
      assert.ok(['polling', 'websocket'].includes(health.transport));
    } finally {
      socket.disconnect();
    }
  });

  test('a bad token is a connect_error naming unauthenticated', async () => {
    const { socket } = page(replicas[0].url, { token: 'forged' });
    try {
      const failure = await new Promise((resolve) => socket.once('connect_error', resolve));
      assert.match(failure.message, /token rejected/);
      assert.equal(failure.data.code, 'unauthenticated');
    } finally {
      socket.disconnect();
    }
  });

  test('polling only through nginx round-robin with no affinity: every event once, in order', async () => {
    const room = freshTaskRoom();
    const proxy = await new Nginx(replicas.map((replica) => replica.url)).start();
    const { socket, heard } = page(proxy.url, { token: mintToken({ rooms: [room] }), transports: ['polling'] });
    try {
      await connected(socket);
      await socket.timeout(5000).emitWithAck('rt.subscribe', { rooms: [room] });
      const numbers = Array.from({ length: 30 }, (_, i) => i + 1);
      const envelopes = await publishAll(room, numbers, { hubUrl: replicas[0].url });
      await waitFor('thirty events', () => heard.generic.length >= 30, { timeoutMs: 20000 });
      assert.deepEqual(heard.generic.map((event) => event.event.event_id), envelopes.map((envelope) => envelope.event_id));
      socket.disconnect();
      const hits = await proxy.upstreamHits();
      assert.equal(new Set(hits).size, 2, `nginx spread the polling requests over both replicas: ${hits}`);
    } finally {
      socket.disconnect();
      await proxy.stop();
    }
  });

  test('the replica is killed (SIGKILL): the page resumes on the other with since and gets every event once', async () => {
    const room = freshTaskRoom();
    const token = mintToken({ rooms: [room] });
    const doomed = await new HubProcess({ name: 'socketio-killed', port: await freePort() }).start();
    const first = page(doomed.url, { token, transports: ['websocket'] });
    let second;
    try {
      await connected(first.socket);
      await first.socket.timeout(5000).emitWithAck('rt.subscribe', { rooms: [room] });
      const before = await publishAll(room, [1, 2, 3], { hubUrl: replicas[0].url });
      await waitFor('three events', () => first.heard.generic.length === 3);
      const last = first.heard.generic.at(-1);
      const gone = new Promise((resolve) => first.socket.once('disconnect', resolve));
      await doomed.kill();
      assert.equal(await gone, 'transport close');
      assert.equal(first.heard.draining.length, 0, 'a killed replica says nothing');
      const missed = await publishAll(room, [4, 5, 6], { hubUrl: replicas[0].url });

      second = page(replicas[1].url, { token, transports: ['websocket'] });
      await connected(second.socket);
      const ack = await second.socket.timeout(5000).emitWithAck('rt.subscribe', {
        rooms: [room], since: { [room]: { offset: last.offset, epoch: last.epoch } },
      });
      assert.equal(ack.rooms[room].recovered, true);
      const more = await publishAll(room, [7], { hubUrl: replicas[0].url });
      await waitFor('the missed and the new event', () => second.heard.generic.length >= 4);
      const all = [...first.heard.generic, ...second.heard.generic].map((event) => event.event.event_id);
      assert.deepEqual(all, [...before, ...missed, ...more].map((envelope) => envelope.event_id), 'every event once, in order');
    } finally {
      first.socket.disconnect();
      second?.socket.disconnect();
      await doomed.kill();
    }
  });

  test('the replica is stopped: the page hears rt.draining, reconnects to the other and resumes with since', async () => {
    const room = freshTaskRoom();
    const token = mintToken({ rooms: [room] });
    const extraPort = await freePort();
    const doomed = await new HubProcess({ name: 'socketio-doomed', port: extraPort }).start();
    const first = page(doomed.url, { token, transports: ['websocket'] });
    let second;
    try {
      await connected(first.socket);
      await first.socket.timeout(5000).emitWithAck('rt.subscribe', { rooms: [room] });
      await publishAll(room, [1, 2], { hubUrl: replicas[0].url });
      await waitFor('two events', () => first.heard.generic.length === 2);
      const last = first.heard.generic.at(-1);
      const gone = new Promise((resolve) => first.socket.once('disconnect', resolve));
      await doomed.stop();
      const reason = await gone;
      assert.equal(reason, 'transport close');
      assert.equal(first.heard.draining.length, 1);
      const missed = await publishAll(room, [3, 4], { hubUrl: replicas[0].url });

      second = page(replicas[1].url, { token, transports: ['websocket'] });
      await connected(second.socket);
      const ack = await second.socket.timeout(5000).emitWithAck('rt.subscribe', {
        rooms: [room], since: { [room]: { offset: last.offset, epoch: last.epoch } },
      });
      assert.equal(ack.rooms[room].recovered, true);
      await waitFor('the two missed events', () => second.heard.generic.length === 2);
      assert.deepEqual(second.heard.generic.map((event) => event.event.event_id), missed.map((envelope) => envelope.event_id));

      const beyond = page(replicas[1].url, { token, transports: ['websocket'] });
      await connected(beyond.socket);
      const stale = await beyond.socket.timeout(5000).emitWithAck('rt.subscribe', {
        rooms: [room], since: { [room]: { offset: 1, epoch: 'an-epoch-long-gone' } },
      });
      assert.equal(stale.rooms[room].recovered, false);
      beyond.socket.disconnect();
    } finally {
      first.socket.disconnect();
      second?.socket.disconnect();
      await doomed.stop();
    }
  });
});

// The page kept from Flask-SocketIO (app/socketio.html) in Chromium: socket.io-client loaded from the
// hub's Socket.IO path, window.llmctlRealtime.connect(...) from clients/js/llmctl-compat.js. It follows
// its rooms over WebSocket and never polls while the WebSocket works; when the WebSocket path is
// refused it tears the failed socket down, polls, and still shows every event exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { HubProxy } from './support/hub-proxy.mjs';
import { openAppPage } from './support/pages.mjs';
import { freshTaskRoom, publishAll, stack } from './support/stack.mjs';
import { waitFor } from './support/wait.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const compat = (page) => page.page.evaluate(() => ({
  statuses: window.compatPage.statuses.map(({ state, transport }) => ({ state, transport })),
  events: window.compatPage.events,
}));

function engineRequests(page, transport) {
  return page.traffic.requests.filter((request) => {
    const url = new URL(request.url);
    return url.pathname === '/socket.io/' && url.searchParams.get('transport') === transport;
  });
}

async function withPage(rooms, hub, body) {
  const query = { rooms: rooms.join(','), connect_timeout_ms: 4000, grace_ms: 3000 };
  const page = await openAppPage(browser, 'socketio.html', { query, hub });
  try {
    await body(page);
  } finally {
    await page.close();
  }
}

describe('the Socket.IO page in Chromium', () => {
  test('follows its rooms over WebSocket, each event once and in order, and never polls', async () => {
    const rooms = [freshTaskRoom(), freshTaskRoom()];
    await withPage(rooms, undefined, async (page) => {
      await page.waitForStatus('websocket', 'connected');
      // Subscribed once the page holds the ack's cursor of every room.
      await page.page.waitForFunction((n) => Object.keys(window.compatPage.client.cursors()).length === n, rooms.length);
      const first = await publishAll(rooms[0], [1, 2, 3]);
      const second = await publishAll(rooms[1], [1, 2]);
      await waitFor('five events', async () => (await compat(page)).events.length >= 5, { timeoutMs: 15000 });
      const { events, statuses } = await compat(page);
      assert.deepEqual(events.filter((e) => e.room === rooms[0]).map((e) => e.eventId), first.map((e) => e.event_id));
      assert.deepEqual(events.filter((e) => e.room === rooms[1]).map((e) => e.eventId), second.map((e) => e.event_id));
      assert.ok(events.every((e) => e.type === 'node.task.updated' && e.transport === 'websocket'));
      assert.equal(await page.page.locator('#events li').count(), 5, 'one line per event');
      assert.ok(statuses.every((s) => s.transport === 'websocket'), JSON.stringify(statuses));
      assert.equal(engineRequests(page, 'polling').length, 0, 'no polling request while the WebSocket works');
      assert.equal(page.traffic.websockets.length, 1);
      assert.ok(page.requestsTo('/socket.io/socket.io.min.js').length === 1, 'socket.io-client came from the hub');
      assert.ok(page.requestsTo('/static/js/llmctl-compat.js').length === 1, 'the helper came from web');
      await page.screenshot('page-socketio');
    });
  });

  test('a refused WebSocket upgrade: the failed socket is torn down, the page polls and shows every event once', async () => {
    const proxy = await new HubProxy(stack.hubUrl).start();
    proxy.refuseUpgrades();
    const room = freshTaskRoom();
    try {
      await withPage([room], proxy.url, async (page) => {
        await page.waitForStatus('polling', 'connected', 20000);
        await page.page.waitForFunction((r) => window.compatPage.client.cursors()[r] !== undefined, room);
        const envelopes = await publishAll(room, Array.from({ length: 12 }, (_, i) => i + 1));
        await waitFor('twelve events', async () => (await compat(page)).events.length >= 12, { timeoutMs: 20000 });
        const { events, statuses } = await compat(page);
        assert.deepEqual(events.map((e) => e.eventId), envelopes.map((e) => e.event_id), 'each event once, in order');
        assert.ok(events.every((e) => e.transport === 'polling'));

        const states = statuses.map((s) => `${s.transport}:${s.state}`);
        const fallback = statuses.findIndex((s) => s.state === 'fallback');
        assert.deepEqual(states.slice(0, fallback), ['websocket:connecting'], `a verified WebSocket failure came first: ${states}`);
        assert.ok(!states.includes('websocket:connected'), `the WebSocket never connected: ${states}`);
        assert.ok(states.slice(fallback + 1).every((s) => s.startsWith('polling:')), `nothing of the WebSocket after the fallback: ${states}`);
        assert.ok(engineRequests(page, 'polling').length > 0);
        // Torn down: the failed socket made no further attempt (no reconnection) while the page polled on.
        const later = await publishAll(room, [13, 14, 15]);
        await waitFor('three more events', async () => (await compat(page)).events.length >= 15, { timeoutMs: 20000 });
        assert.deepEqual((await compat(page)).events.slice(12).map((e) => e.eventId), later.map((e) => e.event_id));
        assert.equal(page.traffic.websockets.length, 1, 'one WebSocket attempt, the one that failed');
        await page.screenshot('page-socketio-polling');
      });
    } finally {
      await proxy.stop();
    }
  });

  test('a WebSocket that breaks mid-stream and stays refused past the grace period: polling, every event once', async () => {
    const proxy = await new HubProxy(stack.hubUrl).start();
    const room = freshTaskRoom();
    try {
      await withPage([room], proxy.url, async (page) => {
        await page.waitForStatus('websocket', 'connected');
        await page.page.waitForFunction((r) => window.compatPage.client.cursors()[r] !== undefined, room);
        const before = await publishAll(room, [1, 2, 3]);
        await waitFor('three events', async () => (await compat(page)).events.length >= 3);

        proxy.refuseUpgrades();
        proxy.cutAll();
        const during = await publishAll(room, [4, 5, 6]);
        await page.waitForStatus('polling', 'connected', 20000);
        const after = await publishAll(room, [7, 8]);
        await waitFor('eight events', async () => (await compat(page)).events.length >= 8, { timeoutMs: 20000 });
        const { events, statuses } = await compat(page);
        assert.deepEqual(events.map((e) => e.eventId), [...before, ...during, ...after].map((e) => e.event_id),
          'each event once, in order, the missed ones recovered with since');
        assert.deepEqual(events.map((e) => e.transport), [...Array(3).fill('websocket'), ...Array(5).fill('polling')]);
        const states = statuses.map((s) => `${s.transport}:${s.state}`);
        const fallback = statuses.findIndex((s) => s.state === 'fallback');
        assert.ok(fallback > 0 && states.slice(0, fallback).includes('websocket:disconnected'), `dropped, then fell back: ${states}`);
        assert.ok(states.slice(fallback + 1).every((s) => s.startsWith('polling:')), `nothing of the WebSocket after the fallback: ${states}`);
      });
    } finally {
      await proxy.stop();
    }
  });
});

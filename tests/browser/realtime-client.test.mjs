// The realtime client in a real browser against the real hub: live delivery, fallback only on
// verified failure (WebSocket -> SockJS -> long-poll) and back, resume after every reconnect,
// re-hydration, entity versions, token refresh and terminal refusals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, openCheckPage } from './support/browser.mjs';
import { freePort, HubProcess } from './support/hub-process.mjs';
import { HubProxy } from './support/hub-proxy.mjs';
import { freshTaskRoom, mintToken, publish, publishAll, stack } from './support/stack.mjs';

/** Short windows so fallbacks happen within seconds; backoff capped low so reconnects are quick. */
const QUICK = { connectTimeoutMs: 3000, graceMs: 3000, probeIntervalMs: 2000, backoffBaseMs: 200, backoffMaxMs: 1000 };

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

function assertExactlyOnceInOrder(events, envelopes) {
  assert.deepEqual(events.map((e) => e.eventId), envelopes.map((e) => e.event_id),
    'the log shows every published event exactly once, in publish order');
  const offsets = events.map((e) => e.offset);
  assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'room offsets only grow');
}

function firstAt(entries) {
  assert.ok(entries.length > 0, 'expected at least one request');
  return Math.min(...entries.map((entry) => entry.at));
}

/** In the page's own monotonic clock: the client moved to `later` at least `ms` after it first tried `earlier`. */
function assertSwitchedAfter(statuses, earlier, later, ms) {
  const first = (transport) => statuses.find((s) => s.transport === transport)?.at;
  assert.ok(first(later) !== undefined, `the client never tried ${later}`);
  const gap = first(later) - first(earlier);
  assert.ok(gap >= ms, `${later} after ${earlier}: expected at least ${ms} ms, got ${Math.round(gap)} ms`);
}

async function withPage(options, body) {
  const page = await openCheckPage(browser, options);
  try {
    await body(page);
  } finally {
    await page.close();
  }
}

async function withProxy(body) {
  const proxy = await new HubProxy(stack.hubUrl).start();
  try {
    await body(proxy);
  } finally {
    await proxy.stop();
  }
}

describe('live delivery', () => {
  test('events arrive live over WebSocket and the badge says websocket', async () => {
    const room = freshTaskRoom();
    await withPage({ params: { hub: stack.hubUrl, rooms: room, token: mintToken({ rooms: [room] }) } }, async (page) => {
      await page.waitForStatus('websocket', 'live');
      const published = await publishAll(room, [1, 2, 3, 4, 5]);
      const events = await page.waitForEvents(5);
      assertExactlyOnceInOrder(events, published);
      assert.ok(events.every((e) => e.transport === 'websocket'));
      assert.equal(page.requestsTo('/rt/sockjs').length + page.requestsTo('/rt/poll').length, 0,
        'no fallback transport was touched');
      await page.screenshot('realtime-websocket-live');
    });
  });
});

describe('reconnects and fallback', () => {
  test('a disconnect shorter than the grace period reconnects over WebSocket, misses nothing and never polls', async () => {
    await withProxy(async (proxy) => {
      const room = freshTaskRoom();
      const params = { ...QUICK, graceMs: 30000, hub: proxy.url, rooms: room, token: mintToken({ rooms: [room] }) };
      await withPage({ params }, async (page) => {
        await page.waitForStatus('websocket', 'live');
        const before = await publishAll(room, [1, 2, 3]);
        await page.waitForEvents(3);

        proxy.refuseConnections();
        proxy.cutAll();
        await page.waitForState('reconnecting');
        const during = await publishAll(room, [4, 5, 6]);
        proxy.refuseConnections(false);

        await page.waitForStatus('websocket', 'live');
        const afterwards = await publishAll(room, [7]);
        assertExactlyOnceInOrder(await page.waitForEvents(7), [...before, ...during, ...afterwards]);
        assert.equal(page.requestsTo('/rt/poll').length, 0, 'no long-poll request was made');
        assert.equal(page.requestsTo('/rt/sockjs').length, 0, 'no SockJS request was made');
        assert.ok(page.traffic.websockets.length >= 2, 'the page opened a new WebSocket');
        assert.ok((await page.statuses()).every((s) => s.transport === 'websocket'));
      });
    });
  });

  test('a steady stream cut twice mid-flight still reaches the page exactly once, in order, over WebSocket', async () => {
    await withProxy(async (proxy) => {
      const room = freshTaskRoom();
      const params = { ...QUICK, graceMs: 30000, hub: proxy.url, rooms: room, token: mintToken({ rooms: [room] }) };
      await withPage({ params }, async (page) => {
        await page.waitForStatus('websocket', 'live');
        const published = [];
        for (let n = 1; n <= 30; n += 1) {
          published.push(await publish(room, n));
          if (n === 10 || n === 20) {
            proxy.cutAll();
          }
        }
        assertExactlyOnceInOrder(await page.waitForEvents(30), published);
        assert.ok(page.traffic.websockets.length >= 2, 'the page reconnected');
        assert.equal(page.requestsTo('/rt/poll').length + page.requestsTo('/rt/sockjs').length, 0);
      });
    });
  });

  test('a WebSocket path that stays broken past the grace period falls back to SockJS, then probes back', async () => {
    await withProxy(async (proxy) => {
      const room = freshTaskRoom();
      const params = { ...QUICK, hub: proxy.url, rooms: room, token: mintToken({ rooms: [room] }) };
      await withPage({ params }, async (page) => {
        await page.waitForStatus('websocket', 'live');
        const before = await publishAll(room, [1, 2]);
        await page.waitForEvents(2);

        proxy.refuseUpgrades();
        const cutAt = Date.now();
        proxy.cutAll();
        await page.waitForState('reconnecting');
        const during = await publishAll(room, [3, 4, 5]);

        await page.waitForStatus('sockjs', 'live');
        assert.ok(firstAt(page.requestsTo('/rt/sockjs')) - cutAt >= QUICK.graceMs, 'SockJS only after the grace period');
        const overSockJs = await publishAll(room, [6, 7]);
        const events = await page.waitForEvents(7);
        assert.deepEqual(events.slice(5).map((e) => e.transport), ['sockjs', 'sockjs']);
        await page.screenshot('realtime-sockjs-fallback');

        proxy.refuseUpgrades(false);
        await page.waitForStatus('websocket', 'live');
        const afterwards = await publishAll(room, [8]);
        const all = await page.waitForEvents(8);
        assertExactlyOnceInOrder(all, [...before, ...during, ...overSockJs, ...afterwards]);
        assert.equal(all.at(-1).transport, 'websocket');
        assert.equal(page.requestsTo('/rt/poll').length, 0, 'SockJS worked, so no long-poll request was made');
      });
    });
  });

  test('with WebSocket and SockJS both blocked, long-poll is the last resort and resumes after a cut', async () => {
    await withProxy(async (proxy) => {
      proxy.refuseUpgrades();
      proxy.blockPaths('/rt/sockjs');
      const room = freshTaskRoom();
      const params = { ...QUICK, hub: proxy.url, rooms: room, token: mintToken({ rooms: [room] }) };
      await withPage({ params }, async (page) => {
        await page.waitForStatus('polling', 'live');
        const statuses = await page.statuses();
        assertSwitchedAfter(statuses, 'websocket', 'sockjs', QUICK.connectTimeoutMs);
        assertSwitchedAfter(statuses, 'sockjs', 'polling', QUICK.connectTimeoutMs);
        assert.ok(page.traffic.websockets.length > 1 && page.requestsTo('/rt/sockjs').length > 0,
          'both transports were really tried over the network');

        const before = await publishAll(room, [1, 2, 3]);
        await page.waitForEvents(3);

        proxy.refuseConnections();
        proxy.cutAll();
        await page.waitForState('reconnecting');
        const during = await publishAll(room, [4, 5]);
        proxy.refuseConnections(false);
        await page.waitForStatus('polling', 'live');
        const afterwards = await publishAll(room, [6]);

        const events = await page.waitForEvents(6);
        assertExactlyOnceInOrder(events, [...before, ...during, ...afterwards]);
        assert.ok(events.every((e) => e.transport === 'polling'));
        await page.screenshot('realtime-polling-fallback');
      });
    });
  });

  test('a hub without the WebSocket transport (STUDIO_RT_TRANSPORTS=sockjs) is reached over SockJS after the connect timeout', async () => {
    const hub = await new HubProcess({ name: 'hub-sockjs-only', port: await freePort(), env: { STUDIO_RT_TRANSPORTS: 'sockjs' } })
      .start();
    try {
      const room = freshTaskRoom();
      const params = { ...QUICK, hub: hub.url, rooms: room, token: mintToken({ rooms: [room] }) };
      await withPage({ params }, async (page) => {
        await page.waitForStatus('sockjs', 'live');
        assertSwitchedAfter(await page.statuses(), 'websocket', 'sockjs', QUICK.connectTimeoutMs);
        assert.ok(page.traffic.websockets.some((socket) => new URL(socket.url).pathname === '/rt/ws'),
          'the raw WebSocket was really tried');
        const published = await publishAll(room, [1, 2, 3], { hubUrl: hub.url });
        assertExactlyOnceInOrder(await page.waitForEvents(3), published);
        assert.equal(page.requestsTo('/rt/poll').length, 0, 'no long-poll request was made');
      });
    } finally {
      await hub.stop();
    }
  });

  test('a hub replica that restarts drains the page (close 4000); it resumes from Redis history and misses nothing', async () => {
    const hub = await new HubProcess({ name: 'hub-replica', port: await freePort() }).start();
    try {
      const room = freshTaskRoom();
      const params = { ...QUICK, graceMs: 120000, hub: hub.url, rooms: room, token: mintToken({ rooms: [room] }) };
      await withPage({ params }, async (page) => {
        await page.waitForStatus('websocket', 'live');
        const before = await publishAll(room, [1, 2, 3]);
        await page.waitForEvents(3);

        await hub.stop();
        await page.waitForState('reconnecting');
        // Through the other replica while the page's one is down: the room's history lives in Redis.
        const during = await publishAll(room, [4, 5, 6]);
        await hub.start();

        await page.waitForStatus('websocket', 'live', 60000);
        const afterwards = await publishAll(room, [7]);
        assertExactlyOnceInOrder(await page.waitForEvents(7), [...before, ...during, ...afterwards]);
        const check = await page.check();
        assert.ok(check.statuses.some((s) => s.lastClose?.code === 4000), 'the replica said it was draining');
        assert.deepEqual(check.rehydrations, [], 'resumed from history, no re-hydration needed');
        assert.equal(page.requestsTo('/rt/poll').length + page.requestsTo('/rt/sockjs').length, 0);
      });
    } finally {
      await hub.stop();
    }
  });
});

describe('resume, versions, tokens', () => {
  test('a resume point the hub cannot honour calls the page re-hydrate hook, then live events continue', async () => {
    const room = freshTaskRoom();
    await publishAll(room, [1]);
    const since = { [room]: { offset: 1, epoch: 'an-epoch-the-hub-never-had' } };
    await withPage({ params: { hub: stack.hubUrl, since, token: mintToken({ rooms: [room] }) } }, async (page) => {
      await page.waitForStatus('websocket', 'live');
      assert.deepEqual((await page.check()).rehydrations, [room]);
      const published = await publishAll(room, [2, 3]);
      assertExactlyOnceInOrder(await page.waitForEvents(2), published);
    });
  });

  test('events not newer than the entity version the page shows are dropped; same-version siblings are not', async () => {
    const room = freshTaskRoom();
    const entity = `task:${room.slice('task:'.length)}`;
    const params = { hub: stack.hubUrl, rooms: room, versions: { [entity]: 3 }, token: mintToken({ rooms: [room] }) };
    await withPage({ params }, async (page) => {
      await page.waitForStatus('websocket', 'live');
      const published = await publishAll(room, [1, 2, 3, 4, 5]);
      const sibling = await publish(room, 6, { entityVersion: 5 });
      const marker = await publish(room, 7);
      const events = await page.waitForEvents(4);
      assert.deepEqual(events.map((e) => e.eventId),
        [published[3].event_id, published[4].event_id, sibling.event_id, marker.event_id]);
    });
  });

  test('short-lived tokens from a tokenProvider are renewed on the open connection before they expire', async () => {
    const room = freshTaskRoom();
    const params = { hub: stack.hubUrl, rooms: room, token: 'provider' };
    await withPage({ params, tokenRooms: [room], tokenTtlSeconds: 6 }, async (page) => {
      await page.waitForStatus('websocket', 'live');
      await page.page.waitForFunction(() => window.realtimeCheck.tokensIssued >= 3, null, { timeout: 30000 });
      const published = await publishAll(room, [1, 2]);
      assertExactlyOnceInOrder(await page.waitForEvents(2), published);
      const check = await page.check();
      assert.equal(page.traffic.websockets.length, 1, 'one connection throughout: the hub never cut it');
      assert.ok(check.statuses.every((s) => s.state !== 'reconnecting'));
      assert.deepEqual(check.errors, []);
    });
  });

  test('refusals a retry cannot fix (bad token: close 4500; room not granted) stop the client and are reported', async () => {
    const room = freshTaskRoom();
    const forged = mintToken({ rooms: [room], secret: 'not-the-hub-secret' });
    await withPage({ params: { ...QUICK, hub: stack.hubUrl, rooms: room, token: forged } }, async (page) => {
      await page.waitForState('stopped');
      const status = await page.status();
      assert.equal(status.error.code, 4500);
      assert.equal(status.error.errorCode, 'unauthenticated');
      assert.equal(page.traffic.websockets.length, 1, 'no reconnect after a terminal refusal');
    });
    const other = freshTaskRoom();
    await withPage({ params: { ...QUICK, hub: stack.hubUrl, rooms: other, token: mintToken({ rooms: [room] }) } }, async (page) => {
      await page.waitForState('stopped');
      assert.equal((await page.status()).error.errorCode, 'forbidden_room');
      await page.screenshot('realtime-stopped-forbidden');
    });
  });
});

// The live pages in a real browser against the real stack: the flowchart run page shows every node
// transition exactly once and in order (also across a broken WebSocket path and a short blip), the
// downloads page's progress bar moves and completes, chat tokens stream, and the task and operator
// pages render. Screenshots of each page land in tests/browser/artifacts/.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { HubProxy } from './support/hub-proxy.mjs';
import { api, finishedRun, openAppPage, roomHistory } from './support/pages.mjs';
import { stack } from './support/stack.mjs';

/** Short windows so a broken path is verified within seconds; reconnects quick. */
const QUICK = { connectTimeoutMs: 3000, graceMs: 3000, probeIntervalMs: 2000, backoffBaseMs: 200, backoffMaxMs: 1000 };
const LIFECYCLE = ['waiting', 'queued', 'running', 'succeeded'];

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function withPage(file, options, body) {
  const page = await openAppPage(browser, file, options);
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

/**
 * a -> (b, c, d in parallel) -> e (after b and c) -> f (after d and e): sleeps of `ms`, so a run
 * takes a few `ms` and the page sees nodes run side by side.
 */
async function createFlowchart(ms) {
  const sleep = (factor) => ({ executor: 'sleep', params: { duration_ms: Math.round(ms * factor) } });
  return api('POST', '/flowcharts', {
    name: `browser-test-${randomBytes(3).toString('hex')}`,
    nodes: [
      { key: 'fetch', task: sleep(1) }, { key: 'tokenize', task: sleep(1.2) }, { key: 'embed', task: sleep(0.8) },
      { key: 'thumbnails', task: sleep(1) }, { key: 'index', task: sleep(0.6) }, { key: 'publish', task: { executor: 'noop' } },
    ],
    edges: [
      { from: 'fetch', to: 'tokenize' }, { from: 'fetch', to: 'embed' }, { from: 'fetch', to: 'thumbnails' },
      { from: 'tokenize', to: 'index' }, { from: 'embed', to: 'index' },
      { from: 'index', to: 'publish' }, { from: 'thumbnails', to: 'publish' },
    ],
  });
}

/** Node key -> the statuses of its flowchart.node.updated events, in log order. */
function transitions(events) {
  const byNode = {};
  for (const event of events.filter((e) => e.type === 'flowchart.node.updated')) {
    const node = event.node ?? event.payload.node_key;
    const state = event.state ?? event.payload.status;
    (byNode[node] ??= []).push(state);
  }
  return byNode;
}

/**
 * Waits for the run to end and the page to show it, then holds the page's event log against the
 * room's history in the hub (every event exactly once, in order), the node transitions against the
 * lifecycle, and the page's final graph against the API's final run.
 */
async function assertRunShownExactly(page, flowchartId, runId) {
  const room = `flowchart:${flowchartId}`;
  const run = await finishedRun(runId);
  assert.equal(run.status, 'succeeded', JSON.stringify(run));
  await page.page.waitForFunction((status) => document.getElementById('run-status').dataset.status === status,
    run.status, { timeout: 30000 });
  const hydrated = await page.studioPage((s) => s.hydrated.rooms);
  const cursor = await page.cursor(room);
  const history = await roomHistory(room, { offset: hydrated[room].offset, epoch: cursor.epoch }, cursor.offset);
  const log = await page.waitForLog(history.length);

  assert.deepEqual(log.map((e) => e.eventId), history.map((e) => e.eventId),
    'the event log shows every event of the room exactly once, in the hub\'s order');
  assert.deepEqual(log.map((e) => e.offset), history.map((e) => e.offset));
  const shown = transitions(log);
  assert.deepEqual(shown, transitions(history), 'every node transition appears, in order');
  assert.deepEqual(Object.keys(shown).sort(), run.nodes.map((n) => n.key).sort(), 'every node reported');
  for (const [node, states] of Object.entries(shown)) {
    const ranks = states.map((s) => LIFECYCLE.indexOf(s));
    assert.ok(ranks.every((rank, i) => rank >= 0 && (i === 0 || rank >= ranks[i - 1])),
      `${node} moves forward through the lifecycle: ${states.join(' -> ')}`);
    assert.equal(states.at(-1), 'succeeded');
    assert.ok(states.includes('running'), `${node} was seen running`);
  }
  const graph = await page.page.$$eval('#graph .node', (nodes) => Object.fromEntries(
    nodes.map((n) => [n.dataset.node, n.dataset.state])));
  assert.deepEqual(graph, Object.fromEntries(run.nodes.map((n) => [n.key, n.status])),
    'the final graph matches the API\'s final run');
  return log;
}

describe('flowchart run page', () => {
  test('shows every node transition of a run live, in order, and ends as the API says', async () => {
    const flowchart = await createFlowchart(700);
    await withPage('flowchart.html', { query: { id: flowchart.id } }, async (page) => {
      await page.waitForStatus('websocket', 'live');
      await page.page.waitForSelector('#graph .node[data-node="publish"]');
      const run = await api('POST', `/flowcharts/${flowchart.id}/runs`, { max_parallel: 4 });
      await page.page.waitForFunction(() => document.querySelectorAll('#graph .node[data-state="running"]').length >= 2,
        null, { timeout: 30000 });
      const log = await assertRunShownExactly(page, flowchart.id, run.id);
      assert.ok(log.every((e) => e.transport === 'websocket'));
      assert.equal(page.requestsTo('/rt/sockjs').length + page.requestsTo('/rt/poll').length, 0);
      await page.screenshot('page-flowchart-run');
    });
  });

  test('a WebSocket path that breaks mid-run: the page falls back and still shows every event exactly once', async () => {
    await withProxy(async (proxy) => {
      const flowchart = await createFlowchart(1500);
      await withPage('flowchart.html', { query: { id: flowchart.id }, fragment: QUICK, hub: proxy.url }, async (page) => {
        await page.waitForStatus('websocket', 'live');
        await page.page.waitForSelector('#graph .node[data-node="publish"]');
        const run = await api('POST', `/flowcharts/${flowchart.id}/runs`, { max_parallel: 4 });
        await page.waitForLog(3);

        proxy.refuseUpgrades();
        proxy.cutAll();
        await page.waitForState('reconnecting');
        await page.waitForStatus('sockjs', 'live');

        const log = await assertRunShownExactly(page, flowchart.id, run.id);
        const transports = new Set(log.map((e) => e.transport));
        assert.ok(transports.has('websocket'), 'the first events came over WebSocket');
        assert.ok((await page.statuses()).some((s) => s.transport === 'sockjs' && s.state === 'live'),
          'the page fell back to SockJS');
        await page.screenshot('page-flowchart-run-fallback');
      });
    });
  });

  test('a disconnect shorter than the grace period reconnects over WebSocket and never polls', async () => {
    await withProxy(async (proxy) => {
      const flowchart = await createFlowchart(700);
      const fragment = { ...QUICK, graceMs: 30000 };
      await withPage('flowchart.html', { query: { id: flowchart.id }, fragment, hub: proxy.url }, async (page) => {
        await page.waitForStatus('websocket', 'live');
        await page.page.waitForSelector('#graph .node[data-node="publish"]');
        const run = await api('POST', `/flowcharts/${flowchart.id}/runs`, { max_parallel: 4 });
        await page.waitForLog(2);

        const socketsBefore = page.traffic.websockets.length;
        proxy.refuseConnections();
        proxy.cutAll();
        await page.waitForState('reconnecting');
        // Down until the page has really tried again and been refused at least once.
        await page.page.waitForFunction((n) => window.studioPage.statuses.length > n, (await page.statuses()).length,
          { timeout: 10000 }).catch(() => {});
        proxy.refuseConnections(false);
        await page.waitForStatus('websocket', 'live');

        await assertRunShownExactly(page, flowchart.id, run.id);
        assert.ok(page.traffic.websockets.length > socketsBefore, 'the page opened a new WebSocket');
        assert.equal(page.requestsTo('/rt/poll').length, 0, 'no long-poll request was made');
        assert.equal(page.requestsTo('/rt/sockjs').length, 0, 'no SockJS request was made');
        assert.ok((await page.statuses()).every((s) => s.transport === 'websocket'));
      });
    });
  });
});

/** A file served slowly enough that progress is visible: `chunks` pieces of `chunkBytes`, one per `everyMs`. */
async function slowFileServer({ chunks = 24, chunkBytes = 128 * 1024, everyMs = 120 } = {}) {
  const size = chunks * chunkBytes;
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    let sent = 0;
    const timer = setInterval(() => {
      response.write(Buffer.alloc(chunkBytes, sent % 251));
      sent += 1;
      if (sent === chunks) {
        clearInterval(timer);
        response.end();
      }
    }, everyMs);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, size, url: `http://127.0.0.1:${server.address().port}/model.bin` };
}

describe('downloads page', () => {
  test('a download started from the form shows a progress bar that moves, with rate and ETA, and completes', async () => {
    const file = await slowFileServer();
    try {
      await withPage('downloads.html', {}, async (page) => {
        await page.waitForStatus('websocket', 'live');
        await page.page.fill('#download-url', file.url);
        await page.page.fill('#download-path', `browser-tests/${randomBytes(4).toString('hex')}.bin`);
        await page.page.fill('#download-size', String(file.size));
        await page.page.click('#download-form button[type="submit"]');
        const item = await page.page.waitForSelector('#jobs li[data-job]');
        const jobId = Number(await item.getAttribute('data-job'));
        await page.page.waitForFunction((id) => {
          const row = document.querySelector(`#jobs li[data-job="${id}"]`);
          return row.dataset.status === 'running' && row.querySelector('.job-rate').textContent.endsWith('/s')
            && row.querySelector('.job-eta').textContent.startsWith('ETA');
        }, jobId, { timeout: 30000 });
        await page.screenshot('page-downloads-running');
        await page.page.waitForFunction((id) => document.querySelector(`#jobs li[data-job="${id}"]`).dataset.status
          !== 'running' && document.querySelector(`#jobs li[data-job="${id}"]`).dataset.status !== 'queued', jobId,
        { timeout: 60000 });

        const row = await page.page.$eval(`#jobs li[data-job="${jobId}"]`, (li) => ({
          status: li.dataset.status, value: li.querySelector('progress').value, max: li.querySelector('progress').max,
        }));
        assert.deepEqual(row, { status: 'succeeded', value: file.size, max: file.size });
        const progress = await page.studioPage((s) => s.progress);
        const values = progress[jobId];
        const between = [...new Set(values.filter((v) => v > 0 && v < file.size))];
        assert.ok(between.length >= 3, `the bar moved through several values: ${values.join(', ')}`);
        assert.deepEqual(values, [...values].sort((a, b) => a - b), 'progress never went backwards');
        assert.equal((await api('GET', `/downloads/${jobId}`)).status, 'succeeded');
        await page.screenshot('page-downloads');
      });
    } finally {
      file.server.close();
    }
  });
});

describe('chat page', () => {
  test('an answer streams into the page token by token and the turn completes', async () => {
    const thread = await api('POST', '/threads', { title: 'Browser test thread' });
    await withPage('chat.html', { query: { id: thread.id } }, async (page) => {
      await page.waitForStatus('websocket', 'live');
      const prompt = 'Tell me how the realtime pages stay consistent when the connection drops for a moment '
        + 'and comes back a little later while the answer is still streaming';
      await page.page.fill('#turn-content', prompt);
      await page.page.selectOption('#turn-provider', 'echo');
      await page.page.click('#turn-form button[type="submit"]');
      const turn = await page.page.waitForSelector('#turns .turn[data-status="responded"]', { timeout: 30000 });
      const turnId = await turn.getAttribute('data-turn');
      assert.equal(await turn.$eval('.response', (r) => r.textContent), `echo: ${prompt}`);
      const lengths = (await page.studioPage((s) => s.streamed))[turnId];
      assert.ok(lengths.length >= 3, `the answer arrived in several events: ${lengths}`);
      assert.ok(lengths.every((length, i) => i === 0 || length > lengths[i - 1]), `the text only grew: ${lengths}`);
      const stored = await api('GET', `/threads/${thread.id}`);
      assert.equal(stored.turns.at(-1).response, `echo: ${prompt}`);
      await page.screenshot('page-chat');
    });
  });
});

describe('task and operator pages', () => {
  test('the task page follows a task to its end with its stage log', async () => {
    // Long enough that the page, opened after the task was queued, still sees it run on a loaded machine.
    const task = await api('POST', '/tasks', { executor: 'sleep', params: { duration_ms: 3000 } });
    await withPage('task.html', { query: { id: task.id } }, async (page) => {
      await page.waitForStatus('websocket', 'live');
      await page.page.waitForSelector('#task-status[data-status="succeeded"]', { timeout: 30000 });
      const stages = await page.page.$$eval('#stage-log li', (items) => items.map((li) => li.dataset.stage));
      assert.ok(stages.length >= 2, `stage log: ${stages}`);
      assert.equal(stages.at(-1), 'succeeded');
      await page.screenshot('page-task');
    });
  });

  test('the operator page shows hub stats, the outbox and worker health', async () => {
    await withPage('operator.html', {}, async (page) => {
      await page.waitForStatus('websocket', 'live');
      await page.page.waitForFunction(() => Number(document.getElementById('hub-stats').dataset.connections) >= 1,
        null, { timeout: 30000 });
      await page.page.waitForFunction(() => document.getElementById('workers-status').dataset.status === 'UP'
        && Number(document.getElementById('workers').dataset.instances) >= 1, null, { timeout: 60000 });
      await page.page.waitForFunction(() => document.getElementById('outbox').dataset.deadLettered === '0',
        null, { timeout: 30000 });
      await page.screenshot('page-operator');
    });
    await withPage('index.html', {}, async (page) => {
      await page.waitForStatus('websocket', 'live');
      assert.equal(await page.page.$$eval('main a[href$=".html"]', (links) => links.length) >= 5, true);
      await page.screenshot('page-index');
    });
  });
});

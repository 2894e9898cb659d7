// RAG index jobs: the Python worker (workers/python/rag_index.py, a real process on Debian's
// python3-redis) publishes rag.index_job.updated through the hubs' Redis ingress stream, and
// app/rag.html?job=<id> shows the job live from the room's first event.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { openAppPage, roomHistory } from './support/pages.mjs';
import { PythonProcess, ragIndexWorker } from './support/python-worker.mjs';
import { stack } from './support/stack.mjs';
import { TcpProxy } from './support/tcp-proxy.mjs';

let browser;
let work;
const workers = [];
before(async () => {
  browser = await launchBrowser();
  work = mkdtempSync(path.join(tmpdir(), 'studio-rag-'));
});
after(async () => {
  workers.forEach((worker, i) => {
    worker.kill();
    writeFileSync(path.join(stack.artifacts, `rag-worker-${i + 1}.log`), `${worker.log()}\n`);
  });
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

const CHUNK_BYTES = 2000;

/** A source directory of `count` files of varied sizes (two levels); returns its path and expected chunks. */
function sourceDirectory(name, count) {
  const root = path.join(work, name);
  let chunks = 0;
  for (let i = 0; i < count; i += 1) {
    const directory = path.join(root, i % 2 === 0 ? 'guides' : 'notes');
    mkdirSync(directory, { recursive: true });
    const size = 300 + i * 700;
    writeFileSync(path.join(directory, `doc-${String(i).padStart(2, '0')}.md`), 'x'.repeat(size));
    chunks += Math.ceil(size / CHUNK_BYTES);
  }
  return { root, chunks };
}

function fresh(prefix) {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

function start(options, redisUrl) {
  const worker = ragIndexWorker({ 'chunk-bytes': CHUNK_BYTES, 'progress-interval-ms': 0, ...options }, { redisUrl });
  workers.push(worker);
  return worker;
}

async function openJobPage(job) {
  const page = await openAppPage(browser, 'rag.html', { query: { job } });
  await page.waitForStatus('websocket', 'live');
  return page;
}

async function shownJob(page) {
  return page.page.evaluate(() => ({
    status: document.getElementById('rag-status').dataset.status,
    percent: Number(document.getElementById('rag-progress').dataset.percent),
    count: document.getElementById('rag-count').textContent,
    chunks: document.getElementById('rag-chunks').textContent,
    message: document.getElementById('rag-message').textContent,
    progress: window.studioPage.progress,
  }));
}

/** Every event of a room from its first one, as the hub holds it. */
async function history(room, count) {
  return roomHistory(room, { offset: 0, epoch: null }, count);
}

describe('RAG index job page', () => {
  test('a worker indexes a directory: the page shows it live from queued to 100 % succeeded, every event once', async () => {
    const job = fresh('rag');
    const sourceId = fresh('src');
    const source = sourceDirectory(job, 12);
    const index = path.join(work, `${job}.jsonl`);
    const page = await openJobPage(job);
    try {
      const worker = start({ 'job-id': job, source: source.root, 'source-id': sourceId, 'index-out': index });
      await page.page.waitForSelector('#rag-status[data-status="succeeded"]', { timeout: 30000 });
      assert.equal(await worker.exited, 0, worker.log());

      const shown = await shownJob(page);
      assert.equal(shown.percent, 100);
      assert.equal(shown.count, '12 of 12 files (100%)');
      assert.equal(shown.chunks, String(source.chunks));
      assert.match(shown.message, new RegExp(`indexed 12 files into ${source.chunks} chunks`));
      // Live, not only the end: the bar went through every file's step, never backwards.
      assert.deepEqual(shown.progress, [0, 0, 8, 16, 25, 33, 41, 50, 58, 66, 75, 83, 91, 100, 100]);
      // The index the worker wrote has the chunks it reported.
      assert.equal(readFileSync(index, 'utf8').trim().split('\n').length, source.chunks);

      // queued, running (0 of 12), one per file, succeeded: once each, in both rooms, as the page logged them.
      const logged = await page.waitForLog(15);
      const jobRoom = await history(`rag_job:${job}`, 15);
      const sourceRoom = await history(`rag_source:${sourceId}`, 15);
      assert.deepEqual(logged.map((event) => event.eventId), jobRoom.map((event) => event.eventId));
      assert.deepEqual(sourceRoom.map((event) => event.eventId), jobRoom.map((event) => event.eventId));
      assert.deepEqual(jobRoom.map((event) => event.payload.status),
        ['queued', 'running', ...Array(12).fill('running'), 'succeeded']);
      assert.deepEqual(jobRoom.map((event) => event.payload.processed), [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12]);
      await page.screenshot('page-rag');
    } finally {
      await page.close();
    }

    // No service stores RAG jobs: a page opened afterwards replays the room from offset 0.
    const late = await openJobPage(job);
    try {
      await late.page.waitForSelector('#rag-status[data-status="succeeded"]', { timeout: 10000 });
      assert.equal((await late.waitForLog(15)).length, 15);
      assert.equal((await shownJob(late)).count, '12 of 12 files (100%)');
    } finally {
      await late.close();
    }
  });

  test('a missing source: the job fails, the page says why, the worker exits 1', async () => {
    const job = fresh('rag');
    const missing = path.join(work, 'no-such-source');
    const page = await openJobPage(job);
    try {
      const worker = start({ 'job-id': job, source: missing });
      await page.page.waitForSelector('#rag-status[data-status="failed"]', { timeout: 30000 });
      assert.equal(await worker.exited, 1, worker.log());
      const shown = await shownJob(page);
      assert.equal(shown.message, `source not found: ${missing}`);
      assert.deepEqual((await history(`rag_job:${job}`, 2)).map((event) => event.payload.status), ['queued', 'failed']);
      // The source id defaults to the source's name.
      assert.equal((await history('rag_source:no-such-source', 1)).length >= 1, true);
    } finally {
      await page.close();
    }
  });

  test('Redis cut mid-job and refusing connections: the worker retries with backoff, the job completes, no event twice', async () => {
    const proxy = await new TcpProxy(process.env.REDIS_URL).start();
    const job = fresh('rag');
    const source = sourceDirectory(job, 20);
    const page = await openJobPage(job);
    try {
      const worker = start({ 'job-id': job, source: source.root, 'source-id': fresh('src'), 'pace-ms': 100 },
        proxy.url);
      await page.page.waitForFunction(() => Number(document.getElementById('rag-progress').dataset.percent) > 0,
        null, { timeout: 30000 });
      proxy.refuseConnections(true);
      proxy.cutAll();
      // Backoff, not a tight loop: the worker says each wait, and they grow.
      const waits = await worker.waitForLines(/redis retry \d+ in/, 3);
      proxy.refuseConnections(false);
      await page.page.waitForSelector('#rag-status[data-status="succeeded"]', { timeout: 60000 });
      assert.equal(await worker.exited, 0, worker.log());

      const delays = waits.map((line) => Number(/in ([0-9.]+) s/.exec(line)[1]));
      assert.ok(delays[2] > delays[0], `backoff grows: ${delays}`);
      const events = await history(`rag_job:${job}`, 23);
      assert.deepEqual(events.map((event) => event.payload.processed),
        [0, 0, ...Array.from({ length: 20 }, (_, i) => i + 1), 20]);
      assert.equal(new Set(events.map((event) => event.eventId)).size, 23);
      assert.equal((await page.waitForLog(23)).length, 23);
    } finally {
      await page.close();
      await proxy.stop();
    }
  });
});

describe('Redis ingress from Python', () => {
  test('a draft the hub refuses is dead-lettered, and the publisher reports why', async () => {
    const job = fresh('rag');
    const draft = {
      event_type: 'rag.index_job.exploded', entity_kind: 'rag_job', entity_id: job, room_keys: [`rag_job:${job}`],
      payload: { status: 'running' }, idempotency_key: fresh('bad'),
    };
    const publisher = new PythonProcess('studio_ingress.py', [], { input: JSON.stringify(draft) });
    workers.push(publisher);
    assert.equal(await publisher.exited, 3, publisher.log());
    assert.match(publisher.log(), /entry \d+-\d+ was dead-lettered by the hub: .*event_type.*unknown event type "rag\.index_job\.exploded"/);
  });

  // {"message":"<n x>"} encodes to n + 14 bytes, measured as the hub measures it (compact UTF-8 JSON).
  function draftOfBodySize(bytes) {
    const job = fresh('rag');
    return {
      event_type: 'rag.index_job.updated', entity_kind: 'rag_job', entity_id: job, room_keys: [`rag_job:${job}`],
      payload: { message: 'x'.repeat(bytes - 14) }, idempotency_key: fresh('size'),
    };
  }

  test('a draft one byte over the 64 KiB limit is refused before it is sent; one at the limit is published', async () => {
    const over = new PythonProcess('studio_ingress.py', [], { input: JSON.stringify(draftOfBodySize(65537)) });
    workers.push(over);
    assert.equal(await over.exited, 2, over.log());
    assert.match(over.log(), /refused before sending: payload: payload and runtime encode to 65537 bytes, limit is 65536/);
    assert.doesNotMatch(over.log(), /appended entry/);

    // The worker measures as the hub does: at the limit the hub publishes it (it would park a too_large one).
    const at = new PythonProcess('studio_ingress.py', [], { input: JSON.stringify(draftOfBodySize(65536)) });
    workers.push(at);
    assert.equal(await at.exited, 0, at.log());
    assert.match(at.log(), /entry \d+-\d+ published/);
  });
});

// Starting work from the pages (issue 14), in a real browser against the real stack: a flowchart created
// from the form (a malformed body and a bad field answered inline), run with its Run button and followed to
// the end; a run cancelled from the page; the running set the server sends shown on the graph; a task started
// from the task page and followed to the end, another cancelled; the home page's recent items changing status
// live; a run of three tasks started from the run page and followed to the end, another cancelled from it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { api, finishedRun, openAppPage, roomHistory } from './support/pages.mjs';
import { waitFor } from './support/wait.mjs';

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

const name = (what) => `${what}-${randomBytes(3).toString('hex')}`;
const sleep = (ms) => ({ executor: 'sleep', params: { duration_ms: ms } });
const ENDED = ['succeeded', 'failed', 'cancelled'];

/** Types `text` into the form's `field` and submits the form. */
async function submit(page, form, field, text) {
  await page.page.fill(field, text);
  await page.page.click(`${form} button[type="submit"]`);
}

/** The form's inline refusal once shown: its text and the API's field and code. */
async function inlineError(page, box) {
  await page.page.waitForSelector(`${box}:not([hidden])`, { timeout: 10000 });
  return page.page.$eval(box, (element) => ({ text: element.textContent, field: element.dataset.field, code: element.dataset.code }));
}

async function invalidInputs(page) {
  return page.page.$$eval('[aria-invalid="true"]', (inputs) => inputs.map((input) => input.id));
}

async function stateOf(page, selector) {
  return page.page.$eval(selector, (element) => element.dataset.status ?? element.dataset.state);
}

describe('flowcharts from the page', () => {
  test('the form refuses bad JSON and a bad field inline, creates a flowchart, and Run runs it to the end live', async () => {
    await withPage('flowchart.html', {}, async (page) => {
      await page.page.waitForSelector('#flowchart-form');
      await submit(page, '#flowchart-form', '#flowchart-json', '{"name": "half a flowchart", ');
      const notJson = await inlineError(page, '#flowchart-form-error');
      assert.equal(notJson.code, 'invalid_json');
      assert.match(notJson.text, /not JSON/);
      assert.deepEqual(await invalidInputs(page), ['flowchart-json']);

      const badField = JSON.stringify({ name: name('bad'), nodes: [{ key: 'a', task: sleep(10) }, { key: 'b', task: { executor: 'teleport' } }] });
      await submit(page, '#flowchart-form', '#flowchart-json', badField);
      await page.page.waitForFunction(() => document.getElementById('flowchart-form-error').dataset.code === 'invalid_request');
      const refused = await inlineError(page, '#flowchart-form-error');
      assert.equal(refused.field, 'nodes[1].task.executor');
      // The request schema (docs/openapi.yaml) refuses it before TaskSpec does: its message lists the executors.
      assert.match(refused.text, /^nodes\[1\]\.task\.executor: .*"noop","sleep"/);
      assert.deepEqual(await invalidInputs(page), ['flowchart-json']);
      assert.match(page.page.url(), /flowchart\.html$/, 'a refused form stays on the page');

      const definition = {
        name: name('from the page'),
        nodes: [{ key: 'first', task: sleep(400) }, { key: 'left', task: sleep(600) }, { key: 'right', task: sleep(600) },
          { key: 'last', task: { executor: 'noop' } }],
        edges: [{ from: 'first', to: 'left' }, { from: 'first', to: 'right' }, { from: 'left', to: 'last' }, { from: 'right', to: 'last' }],
      };
      await submit(page, '#flowchart-form', '#flowchart-json', JSON.stringify(definition));
      await page.page.waitForURL(/flowchart\.html\?id=\d+$/, { timeout: 10000 });
      const flowchartId = Number(new URL(page.page.url()).searchParams.get('id'));
      assert.equal((await api('GET', `/flowcharts/${flowchartId}`)).name, definition.name);
      await page.waitForState('live');
      await page.page.waitForSelector('#run-start:not([disabled])');
      assert.equal(await page.page.$eval('#run-cancel', (button) => button.disabled), true, 'nothing to cancel before a run');

      await page.page.click('#run-start');
      await page.page.waitForFunction(() => document.getElementById('run-id').textContent.startsWith('#'));
      const runId = Number((await page.page.textContent('#run-id')).slice(1));
      await page.page.waitForFunction(() => document.getElementById('run-status').dataset.status === 'succeeded', null, { timeout: 20000 });
      const run = await finishedRun(runId);
      assert.equal(run.flowchart_id, flowchartId);
      assert.equal(run.status, 'succeeded');
      for (const node of run.nodes) {
        assert.equal(await stateOf(page, `#graph .node[data-node="${node.key}"]`), node.status);
      }
      const running = await page.studioPage((s) => s.running);
      for (const key of ['first', 'left', 'right', 'last']) {
        assert.ok(running.some((keys) => keys.includes(key)), `${key} was shown running: ${JSON.stringify(running)}`);
      }
      assert.deepEqual(running.at(-1), [], 'nothing is shown running after the run');
      assert.equal(await page.page.$eval('#run-cancel', (button) => button.disabled), true, 'an ended run cannot be cancelled');
      await page.screenshot('page-flowchart-started');
    });
  });

  test('Cancel stops a running run', async () => {
    const flowchart = await api('POST', '/flowcharts', {
      name: name('to cancel'),
      nodes: [{ key: 'slow', task: sleep(60000) }, { key: 'also', task: sleep(60000) }, { key: 'after', task: { executor: 'noop' } }],
      edges: [{ from: 'slow', to: 'after' }, { from: 'also', to: 'after' }],
    });
    await withPage('flowchart.html', { query: { id: flowchart.id } }, async (page) => {
      await page.waitForState('live');
      await page.page.click('#run-start');
      await page.page.waitForFunction(() => document.querySelector('#graph .node[data-node="slow"]').dataset.running === 'true'
        && document.querySelector('#graph .node[data-node="also"]').dataset.running === 'true', null, { timeout: 15000 });
      const runId = Number((await page.page.textContent('#run-id')).slice(1));


      await page.page.waitForSelector('#run-cancel:not([disabled])');
      await page.page.click('#run-cancel');
      await page.page.waitForFunction(() => document.getElementById('run-status').dataset.status === 'cancelled', null, { timeout: 20000 });
      const run = await finishedRun(runId);
      assert.equal(run.status, 'cancelled');
      for (const node of run.nodes) {
        assert.equal(node.status, 'cancelled');
        assert.equal(await stateOf(page, `#graph .node[data-node="${node.key}"]`), 'cancelled');
      }
      assert.equal(await page.page.textContent('#run-running'), 'none');
      assert.equal(await page.page.$eval('#run-cancel', (button) => button.disabled), true);
    });
  });

  test('the graph outlines exactly the nodes each flowchart.node.running_set names', async () => {
    const flowchart = await api('POST', '/flowcharts', {
      name: name('running set'), nodes: [{ key: 'one', task: sleep(1500) }, { key: 'two', task: sleep(60000) }],
    });
    const room = `flowchart:${flowchart.id}`;
    await withPage('flowchart.html', { query: { id: flowchart.id } }, async (page) => {
      await page.waitForState('live');
      await page.page.click('#run-start');
      await page.page.waitForFunction(() => document.getElementById('run-running').textContent === 'one, two', null, { timeout: 15000 });
      const runId = Number((await page.page.textContent('#run-id')).slice(1));
      try {
        // one ends, two runs on: the server's next set names two alone.
        await page.page.waitForFunction(() => document.getElementById('run-running').textContent === 'two', null, { timeout: 15000 });
        assert.equal(await stateOf(page, '#graph .node[data-node="one"]'), 'succeeded');
        assert.equal(await page.page.$eval('#graph .node[data-node="one"]', (node) => node.dataset.running), 'false');
        assert.equal(await page.page.$eval('#graph .node[data-node="two"]', (node) => node.dataset.running), 'true');

        const hydrated = await page.studioPage((s) => s.hydrated.rooms);
        const cursor = await page.cursor(room);
        const sets = (await roomHistory(room, { offset: hydrated[room].offset, epoch: cursor.epoch }, cursor.offset))
          .filter((event) => event.type === 'flowchart.node.running_set' && event.payload.run_id === runId)
          .map((event) => event.payload.running);
        assert.deepEqual(sets.at(-1), ['two']);
        const expected = [[], ...sets].filter((keys, i, all) => i === 0 || keys.join() !== all[i - 1].join());
        assert.deepEqual(await page.studioPage((s) => s.running), expected,
          'the page showed the empty set of a new run, then each set the server sent, and nothing else');
      } finally {
        await api('POST', `/flowchart-runs/${runId}/cancel`);
      }
    });
  });
});

describe('tasks from the page', () => {
  test('the start form refuses bad parameters inline, starts a task and follows it to the end', async () => {
    await withPage('task.html', {}, async (page) => {
      await page.page.waitForSelector('#task-form');
      await page.page.selectOption('#task-executor-input', 'sleep');
      await submit(page, '#task-form', '#task-params', '{duration_ms: 5}');
      const notJson = await inlineError(page, '#task-form-error');
      assert.equal(notJson.field, 'params');
      assert.match(notJson.text, /^params: not JSON/);
      assert.deepEqual(await invalidInputs(page), ['task-params']);

      await submit(page, '#task-form', '#task-params', '{"duration_ms": -1}');
      await page.page.waitForFunction(() => document.getElementById('task-form-error').dataset.code === 'invalid_request');
      const refused = await inlineError(page, '#task-form-error');
      assert.equal(refused.field, 'params.duration_ms');
      assert.deepEqual(await invalidInputs(page), ['task-params']);

      await submit(page, '#task-form', '#task-params', '{"duration_ms": 700}');
      await page.page.waitForURL(/task\.html\?id=\d+$/, { timeout: 10000 });
      const taskId = Number(new URL(page.page.url()).searchParams.get('id'));
      await page.page.waitForFunction(() => document.getElementById('task-status').dataset.status === 'succeeded', null, { timeout: 15000 });
      const task = await api('GET', `/nodes/${taskId}/status`);
      assert.equal(task.status, 'succeeded');
      assert.equal(task.spec.params.duration_ms, 700);
      const stages = await page.page.$$eval('#stage-log li', (items) => items.map((item) => item.dataset.status));
      assert.equal(stages.at(-1), 'succeeded');
      assert.equal(await page.page.$eval('#task-cancel', (button) => button.disabled), true, 'an ended task cannot be cancelled');
    });
  });

  test('Cancel stops a running task', async () => {
    const task = await api('POST', '/tasks', sleep(60000));
    await withPage('task.html', { query: { id: task.id } }, async (page) => {
      await page.page.waitForFunction(() => document.getElementById('task-status').dataset.status === 'running', null, { timeout: 15000 });
      await page.page.click('#task-cancel');
      await page.page.waitForFunction(() => document.getElementById('task-status').dataset.status === 'cancelled', null, { timeout: 15000 });
      assert.equal((await api('GET', `/nodes/${task.id}/status`)).status, 'cancelled');
      assert.equal(await page.page.$eval('#task-cancel', (button) => button.disabled), true);
      assert.deepEqual(await page.page.$eval('#task-action-error', (box) => box.hidden), true);
    });
  });
});

describe('recent work', () => {
  test('the home page lists recent tasks, flowchart runs and runs and their status changes live', async () => {
    const flowchart = await api('POST', '/flowcharts', { name: name('recent'), nodes: [{ key: 'only', task: sleep(60000) }] });
    const run = await api('POST', `/flowcharts/${flowchart.id}/runs`, {});
    const ofRun = await api('POST', '/runs', { tasks: [sleep(60000), { executor: 'noop' }] });
    // A run_id that names no run (tasks report to any run:<id> they are given): no row of its own.
    const tagged = await api('POST', '/tasks', { executor: 'noop', run_id: 2000000000 });
    const task = await api('POST', '/tasks', sleep(60000));
    const ended = await api('POST', '/tasks', { executor: 'noop' });
    await waitFor('the noop task to end', async () => (await api('GET', `/nodes/${ended.id}/status`)).status === 'succeeded');
    await waitFor('the run\'s noop task to end', async () => (await api('GET', `/runs/${ofRun.id}`)).counts.succeeded === 1);
    await withPage('index.html', {}, async (page) => {
      const taskRow = `#recent-tasks li[data-id="${task.id}"]`;
      const runRow = `#recent-flowchart-runs li[data-id="${run.id}"]`;
      const ofRunRow = `#recent-runs li[data-id="${ofRun.id}"]`;
      await page.waitForState('live');
      assert.equal(await stateOf(page, ofRunRow), 'running');
      assert.match(await page.page.textContent(ofRunRow), new RegExp(`^Run #${ofRun.id} · 1 of 2 tasks succeeded`));
      assert.equal(await page.page.$(`#recent-runs li[data-id="${tagged.run_id}"]`), null);
      assert.equal(await stateOf(page, `#recent-tasks li[data-id="${ended.id}"]`), 'succeeded');
      assert.match(await page.page.textContent(runRow), new RegExp(`Flowchart run #${run.id} of ${flowchart.name}`));
      assert.ok(['queued', 'running'].includes(await stateOf(page, taskRow)));
      assert.equal(await stateOf(page, runRow), 'running');

      // All end while the page is open: only their rooms' events can tell it.
      await api('POST', `/tasks/${task.id}/cancel`);
      await api('POST', `/flowchart-runs/${run.id}/cancel`);
      await api('POST', `/runs/${ofRun.id}/cancel`);
      await page.page.waitForFunction(([t, r, a]) => document.querySelector(t).dataset.status === 'cancelled'
        && document.querySelector(r).dataset.status === 'cancelled' && document.querySelector(a).dataset.status === 'partial',
      [taskRow, runRow, ofRunRow], { timeout: 15000 });
      const rooms = new Set((await page.studioPage((s) => s.events)).map((event) => event.room));
      assert.ok(rooms.has(`task:${task.id}`) && rooms.has(`flowchart_run:${run.id}`) && rooms.has(`run:${ofRun.id}`),
        `statuses came live: ${[...rooms]}`);
      assert.equal(await page.page.textContent(`${runRow} .muted`), '0 of 1 nodes succeeded');
      assert.equal(await page.page.textContent(`${ofRunRow} .muted`), ' · 1 of 2 tasks succeeded');
      await page.screenshot('page-index-recent');
    });
  });
});

describe('runs', () => {
  test('the run page starts a run of three tasks from its form and follows each task and the run live to the end', async () => {
    await withPage('run.html', {}, async (page) => {
      await page.page.waitForSelector('#run-form');
      await submit(page, '#run-form', '#run-json', JSON.stringify({ tasks: [{ executor: 'noop' }, sleep(1500), sleep(2500)] }));
      await page.page.waitForURL(/run\.html\?id=\d+$/, { timeout: 10000 });
      const runId = Number(new URL(page.page.url()).searchParams.get('id'));
      const room = `run:${runId}`;
      await page.page.waitForFunction(() => document.getElementById('run-status').dataset.status === 'succeeded', null, { timeout: 20000 });
      const run = await api('GET', `/runs/${runId}`);
      assert.equal(run.status, 'succeeded');
      assert.equal(run.nodes.length, 3);
      assert.equal(await page.page.textContent('#run-counts'), '3: 3 succeeded');
      for (const node of run.nodes) {
        const row = `#run-tasks tr[data-task="${node.task_id}"]`;
        assert.equal(await stateOf(page, row), node.status);
        assert.equal(await page.page.textContent(`${row} .executor`), node.executor);
        assert.equal(await page.page.textContent(`${row} .attempts`), String(node.attempts));
      }
      assert.equal(await page.page.$eval('#run-cancel', (button) => button.disabled), true, 'an ended run cannot be cancelled');

      // What the page read at first had not ended; the rest came live: every event of run:<id> newer than that
      // read exactly once, in order (the cursor is read before the run, so events the read already shows, by
      // their entity's version, are dropped).
      const hydrated = await page.studioPage((s) => s.hydrated);
      assert.notEqual(hydrated.status, 'succeeded');
      const cursor = await page.cursor(room);
      const history = await roomHistory(room, { offset: hydrated.rooms[room].offset, epoch: cursor.epoch }, cursor.offset);
      const shownVersion = (e) => (e.type.startsWith('autorun.') ? hydrated.version
        : hydrated.nodes.find((n) => n.task_id === e.payload.id).version);
      const news = history.filter((e) => e.payload.version > shownVersion(e));
      const log = await page.waitForLog(news.length);
      assert.deepEqual(log.map((e) => e.eventId), news.map((e) => e.eventId), 'the log shows the room\'s new events once, in order');
      const endedLive = news.filter((e) => e.type === 'node.task.completed').map((e) => e.payload.id);
      for (const node of hydrated.nodes.filter((n) => !ENDED.includes(n.status))) {
        assert.ok(endedLive.includes(node.task_id), `task ${node.task_id} ended live: ${endedLive}`);
      }
      assert.equal(news.filter((e) => e.type === 'autorun.updated').at(-1).payload.status, 'succeeded');
      await page.screenshot('page-run');
    });
  });

  test('Cancel run stops every task of a run from its page; a cancel of an ended run is refused inline', async () => {
    const run = await api('POST', '/runs', { tasks: [sleep(60000), sleep(60000)] });
    await withPage('run.html', { query: { id: run.id } }, async (page) => {
      await page.waitForState('live');
      await page.page.waitForFunction(() => [...document.querySelectorAll('#run-tasks tr')].filter((row) => row.dataset.status === 'running').length === 2,
        null, { timeout: 15000 });
      assert.equal(await stateOf(page, '#run-status'), 'running');
      await page.page.click('#run-cancel');
      await page.page.waitForFunction(() => document.getElementById('run-status').dataset.status === 'cancelled', null, { timeout: 20000 });
      const ended = await api('GET', `/runs/${run.id}`);
      assert.equal(ended.status, 'cancelled');
      for (const node of ended.nodes) {
        assert.equal(node.status, 'cancelled');
        assert.equal(await stateOf(page, `#run-tasks tr[data-task="${node.task_id}"]`), 'cancelled');
      }
      assert.equal(await page.page.$eval('#run-cancel', (button) => button.disabled), true);
      assert.equal(await page.page.$eval('#run-action-error', (box) => box.hidden), true);

      // A page that had not heard the run end yet: the server refuses (409), the page says so and re-reads the run.
      await page.page.$eval('#run-cancel', (button) => { button.disabled = false; });
      await page.page.click('#run-cancel');
      const refused = await page.page.waitForSelector('#run-action-error:not([hidden])', { timeout: 10000 });
      assert.equal(await refused.getAttribute('data-status'), '409');
      assert.match(await refused.textContent(), new RegExp(`run ${run.id} already ended`));
      await page.page.waitForSelector('#run-cancel[disabled]', { timeout: 10000 });
      assert.equal(await stateOf(page, '#run-status'), 'cancelled');
    });
  });
});

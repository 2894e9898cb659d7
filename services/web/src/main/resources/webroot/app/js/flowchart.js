// Flowchart run: a node graph laid out by dependency depth, per-node state live from flowchart.* events.
// ?id=<flowchart> follows the flowchart's latest run (room flowchart:<id>, so a run started later shows
// up live, also one started with the Run button); ?run=<run> shows one run (room flowchart_run:<id>).
// Without either: a form that creates a flowchart from JSON, and the recent flowchart runs.
import { logEvent, parseJsonObject, postAction, postForm, query, showError, startLive, studioPage, api } from './page.js';
import { showRecent } from './recent.js';

const SVG = 'http://www.w3.org/2000/svg';
const BOX = { width: 150, height: 46, columnGap: 70, rowGap: 22, margin: 16 };

/** Run statuses after which a run changes no more (`cancelling` and `failing` still stop nodes). */
const RUN_ENDED = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * `running`: the keys of the nodes running now, in definition order, as the run's read (`running`) or its
 * latest `flowchart.node.running_set` names them; the server sends the set whenever it changes.
 */
const view = { flowchartId: null, runId: null, nodes: new Map(), runStatus: null, running: [] };
studioPage.running = [];

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** Columns by longest dependency chain, so every edge points right. */
function layout(nodes) {
  const byKey = new Map(nodes.map((node) => [node.key, node]));
  const depth = new Map();
  const depthOf = (key, seen = new Set()) => {
    if (depth.has(key)) {
      return depth.get(key);
    }
    const deps = (byKey.get(key)?.depends_on ?? []).filter((dep) => byKey.has(dep) && !seen.has(dep));
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((dep) => depthOf(dep, new Set([...seen, key]))));
    depth.set(key, value);
    return value;
  };
  const rows = [];
  const position = new Map();
  for (const node of nodes) {
    const column = depthOf(node.key);
    rows[column] = (rows[column] ?? 0) + 1;
    position.set(node.key, {
      x: BOX.margin + column * (BOX.width + BOX.columnGap),
      y: BOX.margin + (rows[column] - 1) * (BOX.height + BOX.rowGap),
    });
  }
  return position;
}

/** nodes: [{key, depends_on}] from the flowchart definition (or a run). */
function drawGraph(nodes) {
  const graph = document.getElementById('graph');
  graph.replaceChildren();
  const position = layout(nodes);
  const width = Math.max(...[...position.values()].map((p) => p.x)) + BOX.width + BOX.margin;
  const height = Math.max(...[...position.values()].map((p) => p.y)) + BOX.height + BOX.margin;
  graph.setAttribute('viewBox', `0 0 ${width} ${height}`);
  graph.setAttribute('height', String(height));
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8a96a3' }));
  defs.append(marker);
  graph.append(defs);
  for (const node of nodes) {
    for (const dep of node.depends_on ?? []) {
      const from = position.get(dep);
      const to = position.get(node.key);
      if (from && to) {
        const x1 = from.x + BOX.width;
        const y1 = from.y + BOX.height / 2;
        const x2 = to.x;
        const y2 = to.y + BOX.height / 2;
        const bend = (x2 - x1) / 2;
        graph.append(svg('path', { class: 'edge', d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
          'data-from': dep, 'data-to': node.key }));
      }
    }
  }
  for (const node of nodes) {
    const at = position.get(node.key);
    const group = svg('g', { class: 'node', 'data-node': node.key, 'data-state': 'waiting', 'data-running': 'false',
      transform: `translate(${at.x} ${at.y})` });
    group.append(svg('title', {}, node.key));
    group.append(svg('rect', { width: BOX.width, height: BOX.height, rx: 8 }));
    group.append(svg('text', { class: 'key', x: 10, y: 19 }, node.key.length > 18 ? `${node.key.slice(0, 17)}…` : node.key));
    group.append(svg('text', { class: 'status', x: 10, y: 37 }, 'not started'));
    graph.append(group);
  }
}

function setNode(key, status, stage) {
  view.nodes.set(key, { status, stage });
  const group = document.querySelector(`#graph .node[data-node="${CSS.escape(key)}"]`);
  if (group) {
    group.dataset.state = status;
    group.querySelector('.status').textContent = stage && stage !== status ? `${status} · ${stage}` : status;
  }
  showCounts();
}

/** Marks the running nodes (data-running) and names them; studioPage.running holds every set shown. */
function setRunning(keys) {
  const shown = studioPage.running.at(-1);
  view.running = keys;
  if (shown && shown.join() === keys.join()) {
    return;
  }
  studioPage.running.push(keys);
  for (const group of document.querySelectorAll('#graph .node')) {
    group.dataset.running = String(keys.includes(group.dataset.node));
  }
  document.getElementById('run-running').textContent = keys.join(', ') || 'none';
}

function showCounts() {
  const counts = {};
  for (const { status } of view.nodes.values()) {
    counts[status] = (counts[status] ?? 0) + 1;
  }
  document.getElementById('run-counts').textContent = Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ') || '?';
}

function setRun(id, status) {
  if (id !== null && id !== view.runId) {
    view.runId = id;
    document.getElementById('run-id').textContent = `#${id}`;
    for (const key of view.nodes.keys()) {
      setNode(key, 'waiting', null);
    }
    setRunning([]);
  }
  if (status) {
    view.runStatus = status;
    const badge = document.getElementById('run-status');
    badge.textContent = status;
    badge.className = `state state-${status}`;
    badge.dataset.status = status;
  }
  document.getElementById('run-cancel').disabled = view.runId === null || RUN_ENDED.has(view.runStatus)
    || view.runStatus === 'cancelling';
}

/** A run's state as the API gives it: status, every node's status and the running set. */
function showRun(run) {
  setRun(run.id, run.status);
  for (const node of run.nodes) {
    setNode(node.key, node.status, node.stage);
  }
  setRunning(run.running);
}

/** flowchart.run.updated carries the run itself (`id`); the other flowchart.* events name it `run_id`. */
function runIdOf(event) {
  return event.event_type === 'flowchart.run.updated' ? event.payload.id : event.payload.run_id;
}

function onEvent(event, meta) {
  const p = event.payload;
  const runningSet = event.event_type === 'flowchart.node.running_set';
  const runId = runIdOf(event);
  const node = event.event_type === 'flowchart.node.updated' ? p.node_key : undefined;
  logEvent(event, meta, { node, state: p.status, text: runningSet ? `run ${runId} running: ${p.running.join(', ') || 'none'}`
    : `run ${runId}${p.stage && node ? ` stage ${p.stage}` : ''}` });
  if (view.runId !== null && runId < view.runId) {
    return; // an older run of this flowchart, still finishing: logged, not drawn
  }
  setRun(runId, event.event_type === 'flowchart.node.updated' ? null : p.status);
  if (runningSet) {
    setRunning(p.running);
  } else if (node) {
    setNode(node, p.status, p.stage);
  } else if (event.event_type === 'flowchart.runtime.updated') {
    for (const [key, status] of Object.entries(p.nodes)) {
      if (view.nodes.get(key)?.status !== status) {
        setNode(key, status, null);
      }
    }
  }
}

/** Hydrates; returns {rooms, versions} to subscribe with. */
async function hydrate(runParam, flowchartParam) {
  if (runParam) {
    const run = await api(`/flowchart-runs/${runParam}`);
    studioPage.hydrated = run;
    if (view.flowchartId === null) {
      await loadFlowchart(run.flowchart_id, run.nodes);
    }
    showRun(run);
    const room = `flowchart_run:${run.id}`;
    return { rooms: { [room]: run.rooms[room] }, versions: { [room]: run.version } };
  }
  if (view.flowchartId === null) {
    await loadFlowchart(flowchartParam);
  }
  const runtime = await api(`/flowcharts/${flowchartParam}/runtime`);
  studioPage.hydrated = runtime;
  const room = `flowchart:${flowchartParam}`;
  const versions = {};
  if (runtime.run) {
    showRun(runtime.run);
    versions[`flowchart_run:${runtime.run.id}`] = runtime.version;
  }
  return { rooms: { [room]: runtime.rooms[room] }, versions };
}

async function loadFlowchart(id, runNodes) {
  const flowchart = await api(`/flowcharts/${id}`);
  view.flowchartId = flowchart.id;
  document.getElementById('flowchart-name').textContent = `#${flowchart.id} ${flowchart.name}`;
  const edges = flowchart.definition?.edges ?? [];
  const nodes = runNodes ?? (flowchart.definition?.nodes ?? []).map((node) => ({
    key: node.key, depends_on: edges.filter((edge) => edge.to === node.key).map((edge) => edge.from),
  }));
  drawGraph(nodes);
  for (const node of nodes) {
    view.nodes.set(node.key, { status: 'waiting', stage: null });
  }
  showCounts();
  document.getElementById('run-start').disabled = false;
}

/** Run starts a run of this flowchart: followed here with ?id= (its events arrive in flowchart:<id>), else opened. */
function wireButtons(runParam) {
  const runStart = document.getElementById('run-start');
  const errorBox = document.getElementById('run-action-error');
  if (runParam) {
    runStart.textContent = 'Run again';
  }
  postAction(runStart, {
    path: () => `/flowcharts/${view.flowchartId}/runs`,
    body: () => ({}), // the defaults: fail_fast, max_parallel 4
    errorBox,
    onDone: (run) => {
      if (runParam) {
        location.assign(`flowchart.html?run=${run.id}${location.hash}`);
        return;
      }
      if (view.runId === null || run.id > view.runId) {
        setRun(run.id, null);
      }
      runStart.disabled = false;
    },
  });
  postAction(document.getElementById('run-cancel'), {
    path: () => `/flowchart-runs/${view.runId}/cancel`,
    errorBox,
    onDone: () => {}, // stays disabled: the run's events say cancelling, then cancelled
  });
}

function createForm() {
  document.getElementById('flowchart-create').hidden = false;
  document.getElementById('flowchart-view').hidden = true;
  const form = document.getElementById('flowchart-form');
  const input = document.getElementById('flowchart-json');
  postForm(form, {
    path: '/flowcharts',
    body: () => parseJsonObject(input.value),
    errorBox: document.getElementById('flowchart-form-error'),
    fallback: input,
    onDone: (flowchart) => location.assign(`flowchart.html?id=${flowchart.id}${location.hash}`),
  });
  showRecent({ flowchartRuns: document.getElementById('recent-flowchart-runs'), limit: 15 })
    .catch((failure) => showError(`Could not load recent flowchart runs: ${failure.message}`));
}

const runParam = query('run');
const flowchartParam = query('id');
if (runParam === null && flowchartParam === null) {
  createForm();
} else if (!/^[1-9][0-9]*$/.test(runParam ?? flowchartParam ?? '')) {
  showError('This page needs ?id=<flowchart id> (follows its latest run) or ?run=<run id>.');
} else {
  wireButtons(runParam);
  hydrate(runParam, flowchartParam)
    .then(({ rooms, versions }) => startLive({
      rooms,
      versions,
      onEvent,
      onRehydrate: async () => {
        await hydrate(runParam, flowchartParam);
        if (view.runId !== null) {
          studioPage.client.seen('flowchart_run', String(view.runId), studioPage.hydrated.version);
        }
      },
    }))
    .catch((failure) => showError(`Could not load the flowchart: ${failure.message}`));
}
window.flowchartView = view;

// Recent work with its live status, for the home page and the list pages: the newest tasks, and the
// flowchart runs and runs those tasks belong to (GET /tasks is the API's one list of them). Every row is
// read from its entity's read endpoint first; an unfinished one is then followed live in its room from
// the cursor that read returned, so nothing between the read and the subscription is missed.
import { api, element, setState, startLive, studioPage, TERMINAL } from './page.js';

/** How many of the newest tasks are read to find the recent flowchart runs and runs. */
const SCAN = 200;

/** room -> {apply(event), reread(): the version now shown}; the cursors and versions to connect with. */
const followers = new Map();
const live = { rooms: {}, versions: {} };

/**
 * Fills each given list (`<ul>`, or null to leave that kind out) with up to `limit` recent items, then
 * connects and follows the unfinished ones. Rows: `li[data-kind][data-id][data-status]`.
 */
export async function showRecent({ tasks = null, flowchartRuns = null, runs = null, limit = 8 }) {
  const page = await api(`/tasks?limit=${SCAN}`);
  const newest = (key, tasks = page.items) => [...new Set(tasks.map((task) => task[key]).filter((id) => id))].slice(0, limit);
  const reads = [];
  if (tasks) {
    reads.push(...page.items.slice(0, limit).map((task) => taskRow(tasks, task)));
  }
  if (flowchartRuns) {
    reads.push(...newest('flowchart_run_id').map((id) => flowchartRunRow(flowchartRuns, id)));
  }
  if (runs) {
    // There is no list of runs (GET /runs/<id> reads one): the newest tasks name them. A flowchart node's
    // task reports to run:<its flowchart run> too, so only the others can belong to a run.
    reads.push(...newest('run_id', page.items.filter((task) => !task.flowchart_run_id)).map((id) => runRow(runs, id)));
  }
  await Promise.all(reads);
  [[tasks, 'No tasks yet.'], [flowchartRuns, 'No flowchart runs yet.'], [runs, 'No runs yet.']]
    .filter(([list]) => list)
    .forEach(([list, text]) => empty(list, text));
  return startLive({
    rooms: live.rooms,
    versions: live.versions,
    onEvent: (event, meta) => followers.get(meta.room)?.apply(event),
    onRehydrate: async (room) => {
      const follower = followers.get(room);
      if (follower) {
        const [kind, id] = room.split(':');
        studioPage.client.seen(kind, id, await follower.reread());
      }
    },
  });
}

function empty(list, text) {
  if (!list.querySelector('li[data-id]')) {
    list.append(element('li', { class: 'muted' }, text));
  }
}

/** A row with a status badge; `show(status)` updates both. */
function row(list, kind, id, ...content) {
  const badge = element('span', { class: 'state' }, '?');
  const item = element('li', { dataset: { kind, id: String(id), status: '' } }, ...content, ' ', badge);
  list.append(item);
  const show = (status) => {
    if (status) {
      setState(badge, status);
      item.dataset.status = status;
    }
  };
  return { item, show };
}

/** Follows `room` from `cursor`; `version` is what the row shows of the entity the room is named after. */
function follow(room, cursor, version, apply, reread) {
  live.rooms[room] = cursor ?? null;
  if (Number.isInteger(version)) {
    live.versions[room] = version;
  }
  followers.set(room, { apply, reread });
}

async function taskRow(list, task) {
  const context = task.flowchart_run_id ? ` · node ${task.node_key} of flowchart run #${task.flowchart_run_id}`
    : task.run_id ? ` · in run #${task.run_id}` : '';
  const { show } = row(list, 'task', task.id,
    element('a', { href: `task.html?id=${task.id}` }, `Task #${task.id}`), ` ${task.executor}`,
    element('span', { class: 'muted' }, context));
  show(task.status);
  if (TERMINAL.has(task.status)) {
    return;
  }
  const room = `task:${task.id}`;
  const read = async () => {
    const fresh = await api(`/nodes/${task.id}/status`);
    show(fresh.status);
    return fresh;
  };
  const fresh = await read();
  follow(room, fresh.rooms?.[room], fresh.version, (event) => show(event.payload.status),
    async () => (await read()).version);
}

const flowchartNames = new Map();

function flowchartName(id) {
  if (!flowchartNames.has(id)) {
    flowchartNames.set(id, api(`/flowcharts/${id}`).then((flowchart) => flowchart.name, () => `flowchart #${id}`));
  }
  return flowchartNames.get(id);
}

async function flowchartRunRow(list, id) {
  const flowchart = element('a', {}, '…');
  const counts = element('span', { class: 'muted' });
  const { show } = row(list, 'flowchart_run', id,
    element('a', { href: `flowchart.html?run=${id}` }, `Flowchart run #${id}`), ' of ', flowchart, ' ', counts);
  const nodes = new Map();
  const showNodes = () => {
    const done = [...nodes.values()].filter((status) => status === 'succeeded').length;
    counts.textContent = `${done} of ${nodes.size} nodes succeeded`;
  };
  const read = async () => {
    const run = await api(`/flowchart-runs/${id}`);
    show(run.status);
    for (const node of run.nodes ?? []) {
      nodes.set(node.key, node.status);
    }
    showNodes();
    return run;
  };
  const run = await read();
  flowchart.href = `flowchart.html?id=${run.flowchart_id}`;
  flowchart.textContent = await flowchartName(run.flowchart_id);
  if (TERMINAL.has(run.status)) {
    return;
  }
  const room = `flowchart_run:${id}`;
  follow(room, run.rooms?.[room], run.version, (event) => {
    const p = event.payload;
    if (event.event_type === 'flowchart.node.updated') {
      nodes.set(p.node_key, p.status);
    } else {
      show(p.status);
      Object.entries(p.nodes ?? {}).forEach(([key, status]) => nodes.set(key, status));
    }
    showNodes();
  }, async () => (await read()).version);
}

/**
 * A run (tasks started together, POST /runs): its status from GET /runs/<id>, followed in run:<id> by its
 * autorun.* events. A `run_id` that names no run (a task submitted alone with a run_id of its own choosing)
 * answers 404: that row is removed.
 */
async function runRow(list, id) {
  const count = element('span', { class: 'muted' });
  const { item, show } = row(list, 'run', id, element('a', { href: `run.html?id=${id}` }, `Run #${id}`), count);
  const showRun = (run) => {
    show(run.status);
    count.textContent = ` · ${run.counts.succeeded ?? 0} of ${run.total} tasks succeeded`;
  };
  const read = async () => {
    const run = await api(`/runs/${id}`);
    showRun(run);
    return run;
  };
  let run;
  try {
    run = await read();
  } catch (failure) {
    if (failure.status === 404) {
      item.remove();
      return;
    }
    throw failure;
  }
  if (TERMINAL.has(run.status)) {
    return;
  }
  const room = `run:${id}`;
  follow(room, run.rooms[room], run.version, (event) => {
    if (event.event_type.startsWith('autorun.')) {
      showRun(event.payload);
    }
  }, async () => (await read()).version);
}

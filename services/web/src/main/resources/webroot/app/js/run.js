// Run: tasks started together (POST /runs), each patched live. Hydrates from GET /runs/<id> ({run, tasks,
// cursors}) and follows run:<id> from its cursor: autorun.updated (the run's status), autorun.node_set.updated
// (several tasks at once) and every task's own node.task.* events. Without ?id=: a form that starts a run,
// and the recent runs.
import {
  api, element, logEvent, parseJsonObject, postForm, query, requiredId, setState, showError, startLive, studioPage,
} from './page.js';
import { showRecent } from './recent.js';

const starting = query('id') === null;
const id = starting ? null : requiredId('id', 'a run id');
const room = `run:${id}`;
/** task id -> what its row shows. */
const tasks = new Map();

function showRunStatus(status) {
  if (status) {
    setState(document.getElementById('run-status'), status);
  }
}

function showCounts() {
  const counts = {};
  for (const { status } of tasks.values()) {
    counts[status] = (counts[status] ?? 0) + 1;
  }
  document.getElementById('run-counts').textContent = Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ') || 'none';
}

/** Patches one task's row (made on first sight) with the fields this state carries. */
function patchTask(taskId, state) {
  if (taskId === undefined || taskId === null) {
    return;
  }
  const task = { ...(tasks.get(taskId) ?? {}), ...Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) };
  tasks.set(taskId, task);
  let row = document.querySelector(`#run-tasks tr[data-task="${CSS.escape(String(taskId))}"]`);
  if (!row) {
    row = element('tr', { dataset: { task: String(taskId) } },
      element('td', { class: 'node' }),
      element('td', {}, element('a', { href: `task.html?id=${taskId}` }, `#${taskId}`)),
      element('td', {}, element('span', { class: 'state' })),
      element('td', { class: 'stage' }));
    document.querySelector('#run-tasks tbody').append(row);
  }
  row.querySelector('.node').textContent = task.node_id ?? task.node_key ?? '';
  if (task.status) {
    row.dataset.status = task.status;
    setState(row.querySelector('.state'), task.status);
  }
  row.querySelector('.stage').textContent = task.stage ?? '';
  showCounts();
}

/** Reads the run; returns the versions it shows ({'run:<id>': v, 'task:<id>': v, ...}) and its cursors. */
async function hydrate() {
  const answer = await api(`/runs/${id}`);
  studioPage.hydrated = answer;
  document.getElementById('run-id').textContent = `#${answer.run?.id ?? id}`;
  showRunStatus(answer.run?.status);
  const versions = {};
  if (Number.isInteger(answer.run?.version)) {
    versions[room] = answer.run.version;
  }
  for (const task of answer.tasks ?? []) {
    patchTask(task.id, task);
    if (Number.isInteger(task.version)) {
      versions[`task:${task.id}`] = task.version;
    }
  }
  showCounts();
  return { versions, cursors: answer.cursors ?? answer.rooms ?? {} };
}

function onEvent(event, meta) {
  const p = event.payload;
  if (event.event_type === 'autorun.updated') {
    logEvent(event, meta, { state: p.status, text: `run ${p.run_id ?? id}` });
    showRunStatus(p.status);
  } else if (event.event_type === 'autorun.node_set.updated') {
    logEvent(event, meta, { text: `${(p.nodes ?? []).length} tasks` });
    for (const node of p.nodes ?? []) {
      patchTask(node.task_id, { node_id: node.node_id, status: node.status, stage: node.stage });
    }
  } else if (event.event_type.startsWith('node.task.')) {
    logEvent(event, meta, { node: p.node_id ?? p.node_key ?? undefined, state: p.status, text: `task ${p.id}` });
    patchTask(p.id ?? Number(event.entity_id), { status: p.status, stage: p.stage ?? undefined,
      node_id: p.node_id ?? undefined, node_key: p.node_key ?? undefined });
  } else {
    logEvent(event, meta, { state: p.status });
  }
}

function startForm() {
  document.getElementById('run-create').hidden = false;
  document.getElementById('run-detail').hidden = true;
  const input = document.getElementById('run-json');
  postForm(document.getElementById('run-form'), {
    path: '/runs',
    body: () => parseJsonObject(input.value),
    errorBox: document.getElementById('run-form-error'),
    fallback: input,
    onDone: (answer) => location.assign(`run.html?id=${answer.run?.id ?? answer.id}${location.hash}`),
  });
  showRecent({ runs: document.getElementById('recent-runs'), limit: 15 })
    .catch((failure) => showError(`Could not load recent runs: ${failure.message}`));
}

if (starting) {
  startForm();
} else if (id) {
  hydrate().then(({ versions, cursors }) => startLive({
    rooms: { [room]: cursors[room] ?? null },
    versions,
    onEvent,
    onRehydrate: async () => {
      const fresh = await hydrate();
      for (const [key, version] of Object.entries(fresh.versions)) {
        const [kind, entity] = key.split(':');
        studioPage.client.seen(kind, entity, version);
      }
    },
  })).catch((failure) => showError(`Could not load run ${id}: ${failure.message}`));
}

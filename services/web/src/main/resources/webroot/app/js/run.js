// Run: tasks started together (POST /runs), each patched live. Hydrates from GET /runs/<id> (the run with
// its nodes, one per task, and the cursor of run:<id>) and follows run:<id> from that cursor: autorun.updated
// (the run's status and counts), autorun.node_set.updated (every task's status and attempts at once) and each
// task's own node.task.* events (its stage too). Cancel run cancels what has not ended. Without ?id=: a form
// that starts a run, and the recent runs.
import {
  api, element, logEvent, parseJsonObject, postAction, postForm, query, requiredId, setState, showError, startLive,
  studioPage, TERMINAL,
} from './page.js';
import { showRecent } from './recent.js';

const starting = query('id') === null;
const id = starting ? null : requiredId('id', 'a run id');
const room = `run:${id}`;

/** The run's own state as autorun.* events and GET /runs/<id> carry it: status, total, counts. */
function showRun({ status, total, counts }) {
  setState(document.getElementById('run-status'), status);
  document.getElementById('run-cancel').disabled = TERMINAL.has(status);
  const shown = Object.entries(counts).map(([taskStatus, n]) => `${n} ${taskStatus}`).join(', ');
  document.getElementById('run-counts').textContent = `${total}${shown ? `: ${shown}` : ''}`;
}

/** Patches one task's row (made on first sight) with the fields `state` carries (status, attempts, stage). */
function patchTask(taskId, state) {
  let row = document.querySelector(`#run-tasks tr[data-task="${taskId}"]`);
  if (!row) {
    row = element('tr', { dataset: { task: String(taskId) } },
      element('td', {}, element('a', { href: `task.html?id=${taskId}` }, `#${taskId}`)),
      element('td', { class: 'executor' }),
      element('td', {}, element('span', { class: 'state' })),
      element('td', { class: 'attempts' }),
      element('td', { class: 'stage' }));
    document.querySelector('#run-tasks tbody').append(row);
  }
  if (state.executor !== undefined) {
    row.querySelector('.executor').textContent = state.executor;
  }
  if (state.attempts !== undefined) {
    row.querySelector('.attempts').textContent = String(state.attempts);
  }
  if (state.stage !== undefined) {
    row.querySelector('.stage').textContent = state.stage ?? '';
  }
  row.dataset.status = state.status;
  setState(row.querySelector('.state'), state.status);
}

/** Reads the run; returns the versions it shows ({'run:<id>': v, 'task:<id>': v, ...}) and the room cursors. */
async function hydrate() {
  const run = await api(`/runs/${id}`);
  studioPage.hydrated = run;
  document.getElementById('run-id').textContent = `#${run.id}`;
  showRun(run);
  const versions = { [room]: run.version };
  for (const node of run.nodes) {
    patchTask(node.task_id, node);
    versions[`task:${node.task_id}`] = node.version;
  }
  return { versions, rooms: run.rooms };
}

/** Reads the run again and tells the client what it now shows, so older events are not applied over it. */
async function rehydrate() {
  const { versions } = await hydrate();
  for (const [key, version] of Object.entries(versions)) {
    const [kind, entity] = key.split(':');
    studioPage.client?.seen(kind, entity, version);
  }
}

function onEvent(event, meta) {
  const p = event.payload;
  if (event.event_type === 'autorun.updated') {
    logEvent(event, meta, { state: p.status, text: `run ${p.run_id}` });
    showRun(p);
  } else if (event.event_type === 'autorun.node_set.updated') {
    logEvent(event, meta, { state: p.status, text: `${p.nodes.length} tasks` });
    showRun(p);
    for (const node of p.nodes) {
      patchTask(node.task_id, node);
    }
  } else if (event.event_type.startsWith('node.task.')) {
    logEvent(event, meta, { state: p.status, text: `task ${p.id}` });
    patchTask(p.id, p);
  } else {
    logEvent(event, meta);
  }
}

function wireCancel() {
  postAction(document.getElementById('run-cancel'), {
    path: () => `/runs/${id}/cancel`,
    errorBox: document.getElementById('run-action-error'),
    onDone: () => {}, // stays disabled: the run's events say when its tasks stopped
    // 409: the run ended before this page heard of it; show what it ended as.
    onRefused: (failure) => (failure.status === 409 ? rehydrate() : undefined),
  });
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
    onDone: (run) => location.assign(`run.html?id=${run.id}${location.hash}`),
  });
  showRecent({ runs: document.getElementById('recent-runs'), limit: 15 })
    .catch((failure) => showError(`Could not load recent runs: ${failure.message}`));
}

if (starting) {
  startForm();
} else if (id) {
  wireCancel();
  hydrate()
    .then(({ versions, rooms }) => startLive({ rooms: { [room]: rooms[room] }, versions, onEvent, onRehydrate: rehydrate }))
    .catch((failure) => showError(`Could not load run ${id}: ${failure.message}`));
}

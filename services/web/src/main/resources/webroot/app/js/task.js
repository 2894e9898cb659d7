// Task detail: hydrate from /nodes/:id/status, then follow task:<id> from the returned cursor; cancel it.
// Without ?id=: a form that starts a task (POST /tasks, then this page follows it) and the recent tasks.
import {
  api, element, logEvent, parseJsonObject, postAction, postForm, query, requiredId, showError, startLive, studioPage, TERMINAL,
} from './page.js';
import { showRecent } from './recent.js';

const starting = query('id') === null;
const id = starting ? null : requiredId('id', 'a task id');
const room = `task:${id}`;
const stageLog = document.getElementById('stage-log');

/** Shows the fields this task (or event payload) carries; the others keep what they showed. */
function render(task) {
  const set = (elementId, value) => {
    if (value !== undefined) {
      document.getElementById(elementId).textContent = value;
    }
  };
  set('task-id', task.id === undefined ? undefined : `#${task.id}`);
  if (task.status) {
    const status = document.getElementById('task-status');
    status.textContent = task.status;
    status.className = `state state-${task.status}`;
    status.dataset.status = task.status;
    document.getElementById('task-cancel').disabled = TERMINAL.has(task.status) || Boolean(task.cancel_requested);
  }
  set('task-stage', task.stage ?? undefined);
  set('task-executor', task.executor);
  set('task-attempts', task.attempts === undefined ? undefined
    : `${task.attempts}${task.max_attempts ? ` of ${task.max_attempts}` : ''}`);
  set('task-version', task.version === undefined ? undefined : String(task.version));
  set('task-error', task.error === undefined ? undefined : (task.error ?? 'none'));
  set('task-result', task.result === undefined ? undefined : (task.result === null ? 'none' : JSON.stringify(task.result)));
}

function addStage(stage, status, detail) {
  const lines = Array.isArray(detail?.log) ? detail.log : [];
  const extra = { ...detail };
  delete extra.log;
  stageLog.append(element('li', { dataset: { stage, status } },
    element('span', { class: `state state-${status}` }, status), ` ${stage}`,
    Object.keys(extra).length > 0 ? element('span', { class: 'meta' }, ` ${JSON.stringify(extra)}`) : null,
    ...lines.map((line) => element('div', { class: 'meta' }, String(line)))));
}

async function hydrate() {
  const task = await api(`/nodes/${id}/status`);
  studioPage.hydrated = task;
  render(task);
  return task;
}

/** Events carry a preview of a long error and leave out a big result (`*_truncated`); the whole is on the status endpoint. */
async function fetchTruncated(version) {
  const task = await api(`/nodes/${id}/status`);
  if (task.version >= version) {
    render(task);
  }
}

function onEvent(event, meta) {
  const p = event.payload;
  if (p.error_truncated || p.result_truncated) {
    fetchTruncated(p.version).catch((failure) => showError(`Could not read task ${id}: ${failure.message}`));
  }
  logEvent(event, meta, { state: p.status, text: p.stage ? `stage ${p.stage}` : '' });
  if (event.event_type === 'node.task.stage.updated') {
    const { id: _id, stage, status, version: _version, attempts: _attempts, ...detail } = p;
    render(p);
    addStage(stage, status, detail);
  } else {
    render(p);
    if (event.event_type === 'node.task.completed') {
      addStage(p.stage ?? p.status, p.status, p.error ? { error: p.error } : {});
    }
  }
}

/** Each executor's parameters as an example, put in the form when the executor changes. */
const EXAMPLES = {
  sleep: { duration_ms: 2000 },
  noop: { result: { hello: 'world' } },
  llm: { prompt: 'Say hello', provider: 'echo' },
  http: { url: 'https://example.com/' },
  shell: { command: ['echo', 'hello'] },
};

function startForm() {
  document.getElementById('task-start').hidden = false;
  document.getElementById('task-detail').hidden = true;
  const form = document.getElementById('task-form');
  const executor = document.getElementById('task-executor-input');
  const params = document.getElementById('task-params');
  executor.addEventListener('change', () => {
    params.value = JSON.stringify(EXAMPLES[executor.value] ?? {});
  });
  postForm(form, {
    path: '/tasks',
    body: () => ({
      executor: executor.value,
      params: parseJsonObject(params.value, 'params'),
      max_attempts: Number(document.getElementById('task-max-attempts').value),
    }),
    errorBox: document.getElementById('task-form-error'),
    onDone: (task) => location.assign(`task.html?id=${task.id}${location.hash}`),
  });
  showRecent({ tasks: document.getElementById('recent-tasks'), limit: 15 })
    .catch((failure) => showError(`Could not load recent tasks: ${failure.message}`));
}

if (starting) {
  startForm();
} else if (id) {
  const cancel = document.getElementById('task-cancel');
  // The answer is not rendered: the task's events (cancelled, or stopping then cancelled) say what happened.
  postAction(cancel, {
    path: () => `/tasks/${id}/cancel`,
    errorBox: document.getElementById('task-action-error'),
    onDone: () => {
      cancel.disabled = true;
    },
  });
  hydrate().then((task) => {
    addStage(task.stage, task.status, { note: `state when the page opened (version ${task.version})` });
    return startLive({
      rooms: { [room]: task.rooms[room] },
      versions: { [room]: task.version },
      onEvent,
      onRehydrate: async () => {
        const fresh = await hydrate();
        studioPage.client.seen('task', id, fresh.version);
      },
    });
  }).catch((failure) => showError(`Could not load task ${id}: ${failure.message}`));
}

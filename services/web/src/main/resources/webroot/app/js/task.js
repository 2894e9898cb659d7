// Task detail: hydrate from /nodes/:id/status, then follow task:<id> from the returned cursor.
import { api, element, logEvent, requiredId, showError, startLive, studioPage } from './page.js';

const id = requiredId('id', 'a task id');
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

if (id) {
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

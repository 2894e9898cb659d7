// Downloads: the newest jobs, each running one hydrated from /downloads/:id and followed live in
// download_job:<id>; the form starts a job and follows it the same way.
import { api, element, formatBytes, formatSeconds, logEvent, showError, startLive, studioPage } from './page.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
const jobs = new Map();
/** Every progress value shown per job, for the tests: the bar must really move. */
studioPage.progress = {};
let client = null;
const pending = [];

function row(id) {
  let item = document.querySelector(`#jobs li[data-job="${id}"]`);
  if (!item) {
    item = element('li', { dataset: { job: String(id), status: 'queued' } },
      element('span', { class: 'job-id' }, `#${id}`),
      element('div', {},
        element('div', { class: 'job-source muted' }),
        element('progress', { max: '1', value: '0' })),
      element('div', {},
        element('span', { class: 'job-status state' }, 'queued'), ' ',
        element('span', { class: 'job-bytes' }), element('br'),
        element('span', { class: 'job-rate muted' }), ' ',
        element('span', { class: 'job-eta muted' }),
        element('div', { class: 'job-error error' })));
    document.getElementById('jobs').prepend(item);
    document.getElementById('no-jobs').hidden = true;
  }
  return item;
}

/** Shows what this job state (an API answer or an event payload) carries. */
function render(id, state) {
  const job = { ...(jobs.get(id) ?? {}), ...Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) };
  jobs.set(id, job);
  const item = row(id);
  item.dataset.status = job.status;
  const status = item.querySelector('.job-status');
  status.textContent = job.status;
  status.className = `job-status state state-${job.status}`;
  const source = job.source?.files?.[0];
  if (source) {
    const more = job.source.files.length > 1 ? ` and ${job.source.files.length - 1} more` : '';
    item.querySelector('.job-source').textContent = `${source.path} ← ${source.url}${more}`;
  } else if (job.source?.huggingface) {
    item.querySelector('.job-source').textContent = `huggingface ${job.source.huggingface.repo_id}`;
  }
  const bar = item.querySelector('progress');
  const done = job.bytes_done ?? 0;
  if (job.bytes_total) {
    bar.max = job.bytes_total;
    bar.value = Math.min(done, job.bytes_total);
  } else if (job.status === 'succeeded') {
    bar.max = Math.max(done, 1);
    bar.value = Math.max(done, 1);
  } else {
    bar.removeAttribute('value'); // indeterminate while the size is unknown
  }
  bar.dataset.done = String(done);
  (studioPage.progress[id] ??= []).push(done);
  item.querySelector('.job-bytes').textContent = `${formatBytes(done)} of ${formatBytes(job.bytes_total)}`;
  const running = job.status === 'running';
  item.querySelector('.job-rate').textContent = running && job.rate_bytes_per_second !== undefined
    ? `${formatBytes(job.rate_bytes_per_second)}/s` : '';
  item.querySelector('.job-eta').textContent = running && job.eta_seconds !== undefined && job.eta_seconds !== null
    ? `ETA ${formatSeconds(job.eta_seconds)}` : '';
  item.querySelector('.job-error').textContent = job.error ?? '';
}

/** Hydrates one job with its room cursor and follows it (unless it already ended). */
async function follow(id) {
  const job = await api(`/downloads/${id}`);
  render(id, job);
  if (TERMINAL.has(job.status)) {
    return;
  }
  const subscription = () => {
    client.seen('download_job', String(id), job.version);
    client.subscribe(job.rooms);
  };
  if (client) {
    subscription();
  } else {
    pending.push(subscription);
  }
}

function onEvent(event, meta) {
  const p = event.payload;
  const id = Number(p.job_id ?? event.entity_id);
  logEvent(event, meta, { state: p.status, text: `job ${id} ${formatBytes(p.bytes_done)}` });
  render(id, p);
}

document.getElementById('download-form').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  showError('');
  const url = document.getElementById('download-url').value.trim();
  const path = document.getElementById('download-path').value.trim();
  const size = document.getElementById('download-size').value.trim();
  const file = size === '' ? { url, path } : { url, path, size: Number(size) };
  try {
    const job = await api('/downloads', { method: 'POST', body: { files: [file] } });
    render(job.id, job);
    await follow(job.id);
  } catch (failure) {
    showError(`Download refused: ${failure.message}`);
  }
});

async function start() {
  const page = await api('/downloads?limit=20');
  document.getElementById('no-jobs').hidden = page.items.length > 0;
  for (const job of [...page.items].reverse()) {
    render(job.id, job);
  }
  client = await startLive({
    onEvent,
    onRehydrate: async (room) => {
      const id = Number(room.slice(room.indexOf(':') + 1));
      const job = await api(`/downloads/${id}`);
      render(id, job);
      client.seen('download_job', String(id), job.version);
    },
  });
  pending.splice(0).forEach((subscription) => subscription());
  await Promise.all(page.items.filter((job) => !TERMINAL.has(job.status)).map((job) => follow(job.id)));
}

start().catch((failure) => showError(`Could not load downloads: ${failure.message}`));

// A RAG index job: follows rag_job:<id>, the rag.index_job.updated events a worker publishes through
// the hubs' Redis ingress stream (workers/python/rag_index.py). No service stores RAG jobs, so there
// is nothing to hydrate from: the page subscribes from offset 0, and the hub replays the room from its
// first event while its history still holds it. Each event carries the job's whole state, so the
// newest one is all the page needs.
import { element, formatBytes, logEvent, query, showError, startLive, studioPage } from './page.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Every percent shown, for the tests: the bar must really move. */
studioPage.progress = [];

function render(job) {
  const set = (elementId, value) => {
    document.getElementById(elementId).textContent = value;
  };
  set('rag-source-id', job.source_id ?? '?');
  set('rag-source', job.source ? `(${job.source}${job.source_truncated ? '…' : ''})` : '');
  const status = document.getElementById('rag-status');
  status.textContent = job.status;
  status.className = `state state-${job.status}`;
  status.dataset.status = job.status;
  const bar = document.getElementById('rag-progress');
  if (job.total === null || job.total === undefined) {
    bar.removeAttribute('value'); // indeterminate until the worker has counted the files
  } else {
    bar.value = job.percent;
  }
  bar.dataset.percent = String(job.percent ?? 0);
  studioPage.progress.push(job.percent ?? 0);
  set('rag-count', job.total === null || job.total === undefined
    ? 'counting files' : `${job.processed} of ${job.total} files (${job.percent}%)`);
  set('rag-chunks', String(job.chunks ?? '?'));
  set('rag-bytes', formatBytes(job.bytes));
  set('rag-message', `${job.message ?? 'none'}${job.message_truncated ? '…' : ''}`);
  set('rag-updated', job.updated_at ? new Date(job.updated_at).toLocaleTimeString() : '?');
}

function note(text) {
  const box = document.getElementById('rag-note');
  box.textContent = text;
  box.hidden = !text;
}

const job = query('job');
if (!job || !ID.test(job)) {
  showError('This page needs ?job=<id> (a RAG job id: 1-64 letters, digits, "_" or "-").');
} else {
  const room = `rag_job:${job}`;
  document.getElementById('rag-job').replaceChildren(element('code', {}, job));
  startLive({
    // Offset 0 in no epoch yet: replay the room from its first event, then live.
    rooms: { [room]: { offset: 0, epoch: null } },
    onEvent: (event, meta) => {
      if (event.event_type !== 'rag.index_job.updated') {
        return; // a type this page does not know yet
      }
      const p = event.payload;
      logEvent(event, meta, { state: p.status, text: `${p.processed ?? 0}/${p.total ?? '?'} (${p.percent ?? 0}%)` });
      render(p);
    },
    // The hub no longer holds the room's start (history trimmed or expired, or Redis lost it): there
    // is no stored state to re-read, and the next event brings the whole state.
    onRehydrate: () => note('The start of this job is no longer in the hub\'s history; showing it from its next update.'),
  });
}

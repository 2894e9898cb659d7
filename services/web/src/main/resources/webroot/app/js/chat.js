// Chat thread: the history from /threads/:id, then thread:<id> live; answer tokens are appended as
// chat.activity.appended events arrive. Without ?id= the page offers to create a thread.
import { api, element, logEvent, query, showError, startLive, studioPage } from './page.js';

const id = query('id');
/** Per turn, the response length after every streamed event, for the tests: the text must grow. */
studioPage.streamed = {};

function turnElement(turn) {
  let item = document.querySelector(`#turns .turn[data-turn="${turn.id}"]`);
  if (!item) {
    item = element('div', { class: 'turn', dataset: { turn: String(turn.id), status: turn.status ?? 'requested' } },
      element('div', { class: 'prompt' }), element('div', { class: 'response' }),
      element('div', { class: 'turn-meta muted' }), element('div', { class: 'turn-error error' }));
    document.getElementById('turns').append(item);
  }
  return item;
}

/** Sets a text unless it is an event's preview (`<field>_truncated`) of what the element already shows in full. */
function setText(node, turn, field) {
  const text = turn[field];
  if (text === undefined || text === null) {
    return;
  }
  if (!turn[`${field}_truncated`] || node.textContent.length < text.length) {
    node.textContent = text;
  }
}

function renderTurn(turn) {
  const item = turnElement(turn);
  setText(item.querySelector('.prompt'), turn, 'prompt');
  setText(item.querySelector('.response'), turn, 'response');
  if (turn.status) {
    item.dataset.status = turn.status;
    item.querySelector('.turn-meta').textContent = turn.status;
  }
  const error = item.querySelector('.turn-error');
  if (turn.error === undefined || turn.error === null) {
    error.textContent = '';
  } else {
    setText(error, turn, 'error');
  }
}

/** Highest thread version shown from events, so a slower read of the thread never rolls the page back. */
let shownVersion = 0;

/** Events carry previews of a long prompt, answer or error; the whole turn is in the thread's history. */
async function fetchTruncated(turnId) {
  const thread = await api(`/threads/${id}`);
  if (thread.version >= shownVersion) {
    thread.turns.filter((turn) => turn.id === turnId).forEach(renderTurn);
  }
}

function render(thread) {
  document.getElementById('thread-id').textContent = `#${thread.id}`;
  document.getElementById('thread-title-text').textContent = thread.title;
  document.getElementById('turns').replaceChildren();
  thread.turns.forEach(renderTurn);
}

function onEvent(event, meta) {
  const p = event.payload;
  shownVersion = Math.max(shownVersion, event.entity_version ?? 0);
  switch (event.event_type) {
    case 'chat.activity.appended': {
      logEvent(event, meta, { text: `turn ${p.turn_id} +${JSON.stringify(p.delta)}` });
      const response = turnElement({ id: p.turn_id }).querySelector('.response');
      response.textContent += p.delta ?? '';
      (studioPage.streamed[p.turn_id] ??= []).push(response.textContent.length);
      break;
    }
    case 'chat.turn.requested':
    case 'chat.turn.responded':
    case 'chat.turn.failed':
      logEvent(event, meta, { state: p.status, text: `turn ${p.id}` });
      renderTurn(p);
      if (p.prompt_truncated || p.response_truncated || p.error_truncated) {
        fetchTruncated(p.id).catch((failure) => showError(`Could not read thread ${id}: ${failure.message}`));
      }
      break;
    default:
      logEvent(event, meta, {});
  }
}

async function hydrate() {
  const thread = await api(`/threads/${id}`);
  studioPage.hydrated = thread;
  render(thread);
  return thread;
}

document.getElementById('turn-form').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  showError('');
  const content = document.getElementById('turn-content');
  const provider = document.getElementById('turn-provider').value;
  try {
    await api(`/threads/${id}/turns`, { method: 'POST', body: provider ? { content: content.value, provider } : { content: content.value } });
    content.value = '';
  } catch (failure) {
    showError(`Turn refused: ${failure.message}`);
  }
});

document.getElementById('thread-form').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  try {
    const thread = await api('/threads', { method: 'POST', body: { title: document.getElementById('thread-title').value } });
    location.search = `?id=${thread.id}`;
  } catch (failure) {
    showError(`Could not create a thread: ${failure.message}`);
  }
});

if (id && /^[1-9][0-9]*$/.test(id)) {
  document.getElementById('thread').hidden = false;
  const room = `thread:${id}`;
  hydrate()
    .then((thread) => startLive({
      rooms: { [room]: thread.rooms[room] },
      versions: { [room]: thread.version },
      onEvent,
      onRehydrate: async () => {
        const fresh = await hydrate();
        studioPage.client.seen('thread', id, fresh.version);
      },
    }))
    .catch((failure) => showError(`Could not load thread ${id}: ${failure.message}`));
} else {
  document.getElementById('new-thread').hidden = false;
  startLive({ onEvent });
}

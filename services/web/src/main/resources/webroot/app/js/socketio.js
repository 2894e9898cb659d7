// A page written for the Flask-SocketIO stack, kept as it was: it loads socket.io-client from the hub
// and follows its rooms through window.llmctlRealtime.connect (clients/js/llmctl-compat.js).
import { api, element, query, showError } from './page.js';

/** What a test reads: the statuses and events the page went through. */
const compatPage = { statuses: [], events: [], client: null };
window.compatPage = compatPage;

function script(src) {
  return new Promise((resolve, reject) => {
    const tag = document.createElement('script');
    tag.src = src;
    tag.onload = resolve;
    tag.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(tag);
  });
}

async function start() {
  const rooms = (query('rooms') ?? '').split(',').map((room) => room.trim()).filter(Boolean);
  const grant = await api('/realtime/token');
  // The hub is only ever the one web names (as in page.js), never a host from the page's URL.
  const hub = new URL(grant.endpoints.sockjs).origin;
  await script(`${hub}/socket.io/socket.io.min.js`);
  await script(new URL('../static/js/llmctl-compat.js', document.baseURI).href);
  const badge = document.getElementById('rt-status');
  compatPage.client = window.llmctlRealtime.connect({
    url: hub,
    tokenProvider: async () => (await api('/realtime/token')).token,
    rooms,
    connectTimeoutMs: Number(query('connect_timeout_ms') ?? 5000),
    graceMs: Number(query('grace_ms') ?? 10000),
    onStatus: (status) => {
      compatPage.statuses.push({ ...status, at: performance.now() });
      badge.dataset.state = status.state;
      badge.dataset.transport = status.transport;
      badge.textContent = `${status.transport} · ${status.state}`;
    },
    onEvent: (type, envelope, meta) => {
      compatPage.events.push({ type, eventId: envelope.event_id, room: meta.room, offset: meta.offset, transport: meta.transport });
      document.getElementById('events').append(element('li', {}, `${meta.room} #${meta.offset} ${type}`));
    },
  });
}

start().catch((failure) => showError(failure.message));

// The browser tests' page: every option comes from the URL fragment, so tokens never reach a server log.
import { connect } from '../js/studio-realtime.js';

const params = new URLSearchParams(location.hash.slice(1));
const number = (name) => (params.has(name) ? Number(params.get(name)) : undefined);
const json = (name) => (params.has(name) ? JSON.parse(params.get(name)) : undefined);

const badge = document.getElementById('rt-status');
const log = document.getElementById('event-log');
const rehydrations = document.getElementById('rehydrations');

/** What the tests read besides the DOM: every status change, error and re-hydration, in order. */
const check = { statuses: [], errors: [], rehydrations: [], tokensIssued: 0, client: null };
window.realtimeCheck = check;

function showStatus(status) {
  check.statuses.push({ ...status, at: performance.now() });
  badge.dataset.transport = status.transport ?? '';
  badge.dataset.state = status.state;
  badge.textContent = `${status.transport ?? '-'} · ${status.state}${status.detail ? ` (${status.detail})` : ''}`;
  const error = status.error;
  document.getElementById('rt-error').textContent = error
    ? `closed ${error.code}${error.errorCode ? ` ${error.errorCode}` : ''}: ${error.reason}` : '';
}

function showEvent(event, meta) {
  const item = document.createElement('li');
  item.dataset.eventId = event.event_id;
  item.dataset.room = meta.room;
  item.dataset.offset = String(meta.offset);
  item.dataset.transport = meta.transport;
  item.textContent = `${meta.room} #${meta.offset} ${event.event_type} ${JSON.stringify(event.payload)} via ${meta.transport}`;
  log.append(item);
}

function rehydrate(room) {
  check.rehydrations.push(room);
  rehydrations.textContent = String(check.rehydrations.length);
  const item = document.createElement('li');
  item.className = 'rehydrate';
  item.textContent = `${room}: resume refused, page re-reads its state`;
  log.append(item);
}

const rooms = json('since') ?? (params.get('rooms') ?? '').split(',').filter(Boolean);
document.getElementById('rooms').textContent = (Array.isArray(rooms) ? rooms : Object.keys(rooms)).join(', ') || 'none';

const token = params.get('token');
check.client = connect({
  url: params.get('hub') ?? undefined,
  rooms,
  versions: json('versions'),
  token: token === 'provider' ? undefined : token,
  tokenProvider: token === 'provider'
    ? async () => {
      check.tokensIssued += 1;
      return window.studioMintToken();
    }
    : undefined,
  connectTimeoutMs: number('connectTimeoutMs'),
  graceMs: number('graceMs'),
  probeIntervalMs: number('probeIntervalMs'),
  backoffBaseMs: number('backoffBaseMs'),
  backoffMaxMs: number('backoffMaxMs'),
  onEvent: showEvent,
  onStatus: showStatus,
  onRehydrate: rehydrate,
  onError: (error) => check.errors.push(error),
});

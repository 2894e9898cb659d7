// Operator: the socket hub's counters (through web: the hub's own /stats is not cross-origin), the
// outbox (pending and dead-lettered events) and worker health, refreshed every few seconds.
import { api, element, showError, startLive } from './page.js';

const REFRESH_MS = 5000;

function rows(tbody, entries) {
  document.querySelector(tbody).replaceChildren(...entries.map((cells) => element('tr', {},
    ...cells.map((cell) => element('td', {}, cell)))));
}

function statusBadge(selector, status) {
  const badge = document.getElementById(selector);
  badge.textContent = status;
  badge.dataset.status = status;
  badge.className = `state state-${status === 'UP' ? 'succeeded' : 'failed'}`;
}

function detail(value) {
  return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

async function refreshHub() {
  const stats = await api('/realtime/stats');
  const byTransport = Object.entries(stats.connections_by_transport ?? {}).map(([t, n]) => `${t} ${n}`).join(', ');
  rows('#hub-stats tbody', [
    ['Connections', `${stats.connections}${byTransport ? ` (${byTransport})` : ''}`],
    ['Subscriptions', String(stats.subscriptions)],
    ['Rooms', String(stats.rooms)],
    ['Events published', String(stats.events_published)],
    ['Events delivered', String(stats.events_delivered)],
    ['Hub instances (answering process)', String(stats.instances)],
    ['Broker', stats.broker],
  ]);
  document.getElementById('hub-stats').dataset.connections = String(stats.connections);
}

async function refreshOutbox() {
  const outbox = await api('/outbox/stats');
  rows('#outbox tbody', [
    ['Pending events', String(outbox.pending)],
    ['Dead-lettered events', String(outbox.dead_lettered)],
  ]);
  document.getElementById('outbox').dataset.deadLettered = String(outbox.dead_lettered);
  rows('#dead-letters tbody', outbox.newest_dead_letters.length > 0
    ? outbox.newest_dead_letters.map((dead) => [`#${dead.id}`, new Date(dead.dead_at).toLocaleString(),
      `${dead.event_type ?? '?'} ${dead.entity_kind ?? '?'}:${dead.entity_id ?? '?'}`, detail(dead.last_error)])
    : [['none', '', '', '']]);
}

async function refreshWorkers() {
  const workers = await api('/infrastructure/health/workers', { acceptStatus: [503] });
  statusBadge('workers-status', workers.status);
  const check = workers.checks?.workers ?? {};
  const instances = check.instances ?? [];
  rows('#workers tbody', instances.length > 0
    ? instances.map((instance) => [detail(instance.instance_id), detail(instance.service),
      `${instance.host}:${instance.pid}, last seen ${new Date(instance.last_seen_at).toLocaleTimeString()}`
        + `${instance.details && Object.keys(instance.details).length > 0 ? `, ${detail(instance.details)}` : ''}`])
    : [['none', '', detail(check.reason ?? 'no worker heartbeat')]]);
  document.getElementById('workers').dataset.instances = String(instances.length);
  const full = await api('/infrastructure/health/full', { acceptStatus: [503] });
  statusBadge('full-status', full.status);
  rows('#checks tbody', Object.entries(full.checks ?? {}).map(([name, result]) => {
    const { status, instances, ...rest } = result ?? {};
    const summary = instances ? { instances: instances.length, ...rest } : rest;
    return [name, status ?? '?', detail(summary)];
  }));
}

async function refresh() {
  const failures = [];
  await refreshHub().catch((failure) => failures.push(`hub stats: ${failure.message}`));
  await refreshOutbox().catch((failure) => failures.push(`outbox: ${failure.message}`));
  await refreshWorkers().catch((failure) => failures.push(`health: ${failure.message}`));
  showError(failures.join('; '));
  document.getElementById('updated-at').textContent = new Date().toLocaleTimeString();
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? 0) + 1);
}

document.getElementById('refresh-seconds').textContent = String(REFRESH_MS / 1000);
refresh();
setInterval(refresh, REFRESH_MS);
startLive({ onEvent: () => {} });

// What every live page shares: API calls, the realtime client with its status badge, the event log,
// and window.studioPage, the state the browser tests read besides the DOM.
import { connect } from '../../static/js/studio-realtime.js';

/**
 * Timing overrides from the URL fragment (never sent to a server): graceMs, ... Never where to connect:
 * a link could then send the user's token to any host, so the hub is only ever the one web names.
 */
const fragment = new URLSearchParams(location.hash.slice(1));
const TUNING = ['connectTimeoutMs', 'graceMs', 'probeIntervalMs', 'backoffBaseMs', 'backoffMaxMs'];

export const studioPage = { client: null, statuses: [], events: [], rehydrations: [], errors: [], hydrated: null };
window.studioPage = studioPage;

export function query(name) {
  return new URLSearchParams(location.search).get(name);
}

/** An id from the query string, or null after saying what the page needs. */
export function requiredId(name, usage) {
  const value = query(name);
  if (value && /^[1-9][0-9]*$/.test(value)) {
    return value;
  }
  showError(`This page needs ?${name}=<id> (${usage}).`);
  return null;
}

/** `/api/v1` relative to the page, so a reverse-proxy prefix keeps working. */
export function apiUrl(path) {
  return new URL(`../api/v1${path}`, document.baseURI).href;
}

/**
 * JSON from the API; a refusal throws an Error with the API's message. `acceptStatus` keeps e.g. a 503 health answer.
 * Writes carry X-Requested-With, a header no HTML form can send: web refuses a write without it or a JSON body.
 */
export async function api(path, { method = 'GET', body, acceptStatus = [] } = {}) {
  const headers = method === 'GET' ? {} : { 'X-Requested-With': 'studio-page' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(apiUrl(path), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok && !acceptStatus.includes(response.status)) {
    throw new ApiError(response.status, json?.error);
  }
  return json;
}

/** A refusal in the API's one error shape: `status`, `code`, `field` (the request field it names, if any), `detail`. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error ? `${error.code}: ${error.message}${error.field ? ` (${error.field})` : ''}` : `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? null;
    this.field = error?.field ?? null;
    this.detail = error?.message ?? `HTTP ${status}`;
  }
}

/** Statuses after which a task, node or run changes no more (`partial`: a run some of whose tasks succeeded). */
export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'skipped', 'partial']);

/** Shows `status` in a `.state` badge (text, colour class, data-status). */
export function setState(badge, status) {
  badge.textContent = status;
  badge.className = `state state-${status}`;
  badge.dataset.status = status;
}

/**
 * A form's refusal shown next to it (`errorBox`, a `<p role="alert">`): the API's message and the request
 * field it names. The input that field came from (by `name`, else `fallback`) gets aria-invalid.
 * `failure` null clears it.
 */
export function showFormError(form, errorBox, failure, fallback = null) {
  const inputs = [...form.querySelectorAll('input, select, textarea')];
  inputs.forEach((input) => input.removeAttribute('aria-invalid'));
  errorBox.replaceChildren();
  errorBox.hidden = !failure;
  errorBox.dataset.field = failure?.field ?? '';
  errorBox.dataset.code = failure?.code ?? '';
  if (!failure) {
    return;
  }
  const name = failure.field?.split(/[.[]/)[0];
  (inputs.find((input) => input.name && input.name === name) ?? fallback)?.setAttribute('aria-invalid', 'true');
  const detail = failure.detail ?? failure.message;
  if (failure.field && detail.startsWith(`${failure.field}: `)) {
    errorBox.append(element('code', { class: 'field' }, failure.field), detail.slice(failure.field.length));
  } else if (failure.field) {
    errorBox.append(element('code', { class: 'field' }, failure.field), `: ${detail}`);
  } else {
    errorBox.append(detail);
  }
  studioPage.errors.push(failure.message);
}

/** The JSON object typed into a form's `field`; a refusal (code `invalid_json`) says where it stops parsing. */
export function parseJsonObject(text, field = null) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (failure) {
    throw Object.assign(new Error(`not JSON: ${failure.message}`), { code: 'invalid_json', field,
      detail: `not JSON: ${failure.message}` });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw Object.assign(new Error('expected a JSON object'), { code: 'invalid_json', field,
      detail: 'expected a JSON object ({...})' });
  }
  return value;
}

/**
 * A form that POSTs JSON to `path`: `body()` builds the request (it may throw a parse refusal), `onDone(answer)`
 * follows what was started. The submit button is disabled while the request runs; a refusal shows in `errorBox`.
 */
export function postForm(form, { path, body, errorBox, fallback, onDone }) {
  form.addEventListener('submit', async (submit) => {
    submit.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    showFormError(form, errorBox, null);
    try {
      await onDone(await api(path, { method: 'POST', body: body() }));
    } catch (failure) {
      showFormError(form, errorBox, failure, fallback);
    } finally {
      button.disabled = false;
    }
  });
}

/**
 * A button that POSTs (`body()`, else no body) to `path()`. It stays disabled after a success (`onDone(answer)`
 * decides what comes next) and is enabled again after a refusal, which shows in `errorBox` (its status in
 * `data-status`); `onRefused(failure)` may then re-read what the page shows.
 */
export function postAction(button, { path, body, errorBox, onDone, onRefused }) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    errorBox.hidden = true;
    try {
      await onDone(await api(path(), { method: 'POST', body: body?.() }));
    } catch (failure) {
      button.disabled = false;
      errorBox.textContent = failure.message;
      errorBox.dataset.status = String(failure.status ?? '');
      errorBox.hidden = false;
      studioPage.errors.push(failure.message);
      try {
        await onRefused?.(failure);
      } catch (again) {
        showError(again.message);
      }
    }
  });
}

export function showError(message) {
  const box = document.getElementById('page-error');
  if (box) {
    box.textContent = message;
    box.hidden = !message;
  }
  if (message) {
    studioPage.errors.push(message);
  }
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key === 'class') {
      node.className = value;
    } else {
      node.setAttribute(key, value);
    }
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) {
    return '?';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) {
    return '?';
  }
  if (seconds < 60) {
    return `${seconds} s`;
  }
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function showStatus(status) {
  studioPage.statuses.push({ transport: status.transport, state: status.state, at: performance.now() });
  const badge = document.getElementById('rt-status');
  if (!badge) {
    return;
  }
  badge.dataset.transport = status.transport ?? '';
  badge.dataset.state = status.state;
  const error = status.error ? ` (${status.error.errorCode ?? status.error.code})` : '';
  badge.textContent = `${status.transport ?? 'realtime'} · ${status.state}${error}`;
  badge.title = status.detail ?? '';
}

/** Where the hub is: the realtime URLs web hands out with the token, and nowhere else. */
function hubAddress(endpoints) {
  const sockjs = new URL(endpoints.sockjs);
  return { url: sockjs.origin, path: sockjs.pathname.replace(/\/sockjs$/, '') };
}

/**
 * Connects after the page hydrated: `rooms` are the hydration answer's cursors ({room: {offset, epoch}}),
 * `versions` what the page shows; `onRehydrate(room)` re-reads the state when the hub cannot resume.
 */
export async function startLive({ rooms = {}, versions = {}, onEvent, onRehydrate }) {
  let grant;
  try {
    grant = await api('/realtime/token');
  } catch (failure) {
    showStatus({ transport: null, state: 'stopped', detail: failure.message, error: { code: 'token' } });
    showError(`No realtime token: ${failure.message}`);
    return null;
  }
  let first = grant.token;
  const tuning = {};
  for (const name of TUNING) {
    if (fragment.has(name)) {
      tuning[name] = Number(fragment.get(name));
    }
  }
  studioPage.client = connect({
    ...hubAddress(grant.endpoints),
    ...tuning,
    rooms,
    versions,
    tokenProvider: async () => {
      if (first) {
        const token = first;
        first = null;
        return token;
      }
      return (await api('/realtime/token')).token;
    },
    onEvent: (event, meta) => {
      studioPage.events.push({ eventId: event.event_id, type: event.event_type, room: meta.room, offset: meta.offset,
        transport: meta.transport });
      onEvent(event, meta);
    },
    onStatus: showStatus,
    onRehydrate: async (room) => {
      studioPage.rehydrations.push(room);
      try {
        await onRehydrate?.(room);
      } catch (failure) {
        showError(`Could not re-read the state: ${failure.message}`);
      }
    },
    onError: (error) => studioPage.errors.push(`${error.code}: ${error.message}`),
  });
  return studioPage.client;
}

/** One line per received event: what the tests compare with the room's history. */
export function logEvent(event, meta, { node, state, text } = {}) {
  const log = document.getElementById('event-log');
  if (!log) {
    return;
  }
  const dataset = { eventId: event.event_id, type: event.event_type, room: meta.room, offset: String(meta.offset),
    transport: meta.transport };
  if (node) {
    dataset.node = node;
  }
  if (state) {
    dataset.state = state;
  }
  const time = new Date(event.emitted_at ?? Date.now()).toLocaleTimeString();
  log.append(element('li', { dataset },
    element('span', { class: 'offset' }, `#${meta.offset}`), ' ',
    element('span', { class: 'type' }, event.event_type), ' ',
    node ? element('span', { class: 'node' }, node) : null, node ? ' ' : null,
    state ? element('span', { class: `state state-${state}` }, state) : null,
    text ? ` ${text}` : null,
    element('span', { class: 'meta' }, ` ${time} via ${meta.transport}`)));
  log.parentElement?.scrollTo?.({ top: log.parentElement.scrollHeight });
}

// The live pages under /app/ in a fresh browser context, the web API, and a room's history as the hub
// holds it (the truth a page's event log is compared with).
import path from 'node:path';
import { stack } from './stack.mjs';
import { waitFor } from './wait.mjs';

/**
 * Opens `/app/<file>` with `query` in the search and `fragment` (client timings) after the `#`,
 * recording every request and WebSocket the page makes. `hub` (an origin such as the fault-injecting
 * proxy's) makes web's token answer name that hub, as `STUDIO_REALTIME_PUBLIC_URL` would: the pages
 * connect only where web says.
 */
export async function openAppPage(browser, file, { query = {}, fragment = {}, hub } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 } });
  if (hub) {
    await context.route('**/api/v1/realtime/token*', (route) => answerWithHub(route, hub));
  }
  const page = await context.newPage();
  const traffic = { requests: [], websockets: [] };
  page.on('request', (request) => traffic.requests.push({ url: request.url(), at: Date.now() }));
  page.on('websocket', (socket) => traffic.websockets.push({ url: socket.url(), at: Date.now() }));
  page.on('pageerror', (error) => console.error(`page error on ${file}: ${error.message}`));
  const search = new URLSearchParams(query).toString();
  const hash = new URLSearchParams(Object.entries(fragment).map(([k, v]) => [k, String(v)])).toString();
  await page.goto(`${stack.webUrl}/app/${file}${search ? `?${search}` : ''}${hash ? `#${hash}` : ''}`);
  return new AppPage(page, context, traffic);
}

/** Web's realtime token answer with every endpoint moved to `hub` (scheme, host and port; same paths). */
async function answerWithHub(route, hub) {
  const response = await route.fetch();
  const grant = await response.json();
  const target = new URL(hub);
  for (const [name, endpoint] of Object.entries(grant.endpoints ?? {})) {
    const url = new URL(endpoint);
    url.host = target.host;
    url.protocol = name === 'websocket' ? target.protocol.replace(/^http/, 'ws') : target.protocol;
    grant.endpoints[name] = url.href;
  }
  await route.fulfill({ response, json: grant });
}

export class AppPage {
  constructor(page, context, traffic) {
    this.page = page;
    this.context = context;
    this.traffic = traffic;
  }

  async waitForStatus(transport, state, timeoutMs = 30000) {
    await this.page.waitForFunction(([t, s]) => {
      const badge = document.getElementById('rt-status');
      return badge.dataset.transport === t && badge.dataset.state === s;
    }, [transport, state], { timeout: timeoutMs });
  }

  async waitForState(state, timeoutMs = 30000) {
    await this.page.waitForFunction((s) => document.getElementById('rt-status').dataset.state === s, state,
      { timeout: timeoutMs });
  }

  /** The event log as the page shows it. */
  eventLog() {
    return this.page.$$eval('#event-log li[data-event-id]', (items) => items.map((item) => ({
      eventId: item.dataset.eventId, type: item.dataset.type, room: item.dataset.room, offset: Number(item.dataset.offset),
      node: item.dataset.node, state: item.dataset.state, transport: item.dataset.transport,
    })));
  }

  async waitForLog(count, timeoutMs = 30000) {
    await this.page.waitForFunction((n) => document.querySelectorAll('#event-log li[data-event-id]').length >= n,
      count, { timeout: timeoutMs });
    return this.eventLog();
  }

  studioPage(expression = (s) => s) {
    return this.page.evaluate(`(${expression.toString()})(window.studioPage)`);
  }

  /** The client's cursor of a room ({offset, epoch}), once it has one. */
  cursor(room) {
    return this.page.evaluate((r) => window.studioPage.client?.cursor(r) ?? null, room);
  }

  statuses() {
    return this.page.evaluate(() => window.studioPage.statuses);
  }

  requestsTo(pathPrefix) {
    return this.traffic.requests.filter((request) => new URL(request.url).pathname.startsWith(pathPrefix));
  }

  async screenshot(name) {
    const file = path.join(stack.artifacts, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }

  async close() {
    await this.context.close();
  }
}

/** A web API call as a script would make it (a body-less write says it is no form); refusals throw with the API's answer. */
export async function api(method, apiPath, body) {
  const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
  if (body === undefined && method !== 'GET') {
    headers['X-Requested-With'] = 'browser-test';
  }
  const response = await fetch(`${stack.webUrl}/api/v1${apiPath}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${apiPath} answered ${response.status}: ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

/** Every event of `room` after `since` ({offset, epoch}) up to offset `until`, read from the hub's history over long-poll. */
export async function roomHistory(room, since, until) {
  const { token } = await api('GET', `/realtime/token?rooms=${encodeURIComponent(room)}`);
  const events = [];
  let cursor = since;
  while (cursor.offset < until) {
    const url = new URL(`${stack.hubUrl}/rt/poll`);
    url.searchParams.set('rooms', room);
    url.searchParams.set('since', JSON.stringify({ [room]: cursor }));
    url.searchParams.set('token', token);
    const response = await fetch(url);
    const answer = await response.json();
    if (response.status !== 200) {
      throw new Error(`poll of ${room} answered ${response.status}: ${JSON.stringify(answer)}`);
    }
    if (answer.rooms[room].recovered === false) {
      throw new Error(`the hub no longer holds ${room} after ${JSON.stringify(cursor)}`);
    }
    for (const frame of answer.events) {
      events.push({ eventId: frame.event.event_id, type: frame.event.event_type, offset: frame.offset,
        payload: frame.event.payload });
    }
    cursor = { offset: answer.rooms[room].offset, epoch: answer.rooms[room].epoch };
  }
  return events;
}

/** Waits until the API says the flowchart run ended; returns it. */
export async function finishedRun(runId, timeoutMs = 60000) {
  return waitFor(`flowchart run ${runId} to end`, async () => {
    const run = await api('GET', `/flowchart-runs/${runId}`);
    return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : null;
  }, { timeoutMs, intervalMs: 250 });
}

// One Debian Chromium per test file, a fresh context per page, and the check page's observable state.
import path from 'node:path';
import { chromium } from 'playwright-core';
import { mintToken, stack } from './stack.mjs';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Opens /static/dev/realtime-check.html with its options in the fragment and records every
 * request and WebSocket the page makes, with the time it was made.
 */
export async function openCheckPage(browser, options) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const traffic = { requests: [], websockets: [] };
  page.on('request', (request) => traffic.requests.push({ url: request.url(), at: Date.now() }));
  page.on('websocket', (socket) => traffic.websockets.push({ url: socket.url(), at: Date.now() }));
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  if (options.tokenRooms) {
    await page.exposeFunction('studioMintToken', () => mintToken({ rooms: options.tokenRooms, ttlSeconds: options.tokenTtlSeconds }));
  }
  const fragment = new URLSearchParams();
  for (const [key, value] of Object.entries(options.params)) {
    fragment.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  await page.goto(`${stack.webUrl}/static/dev/realtime-check.html#${fragment}`);
  return new CheckPage(page, context, traffic);
}

export class CheckPage {
  constructor(page, context, traffic) {
    this.page = page;
    this.context = context;
    this.traffic = traffic;
  }

  status() {
    return this.page.evaluate(() => window.realtimeCheck.client.status);
  }

  /** Waits until the badge shows this transport and state. */
  async waitForStatus(transport, state, timeoutMs = 30000) {
    await this.page.waitForFunction(([t, s]) => {
      const badge = document.getElementById('rt-status');
      return badge.dataset.transport === t && badge.dataset.state === s;
    }, [transport, state], { timeout: timeoutMs });
  }

  /** Waits until the client reports it lost its connection (reconnecting, on any transport). */
  async waitForState(state, timeoutMs = 30000) {
    await this.page.waitForFunction((s) => document.getElementById('rt-status').dataset.state === s, state,
      { timeout: timeoutMs });
  }

  async waitForEvents(count, timeoutMs = 30000) {
    await this.page.waitForFunction((n) => document.querySelectorAll('#event-log li[data-event-id]').length >= n,
      count, { timeout: timeoutMs });
    return this.events();
  }

  events() {
    return this.page.$$eval('#event-log li[data-event-id]', (items) => items.map((item) => ({
      eventId: item.dataset.eventId, room: item.dataset.room, offset: Number(item.dataset.offset),
      transport: item.dataset.transport,
    })));
  }

  statuses() {
    return this.page.evaluate(() => window.realtimeCheck.statuses);
  }

  check() {
    return this.page.evaluate(() => {
      const { statuses, errors, rehydrations, tokensIssued } = window.realtimeCheck;
      return { statuses, errors, rehydrations, tokensIssued };
    });
  }

  requestsTo(pathPrefix) {
    return this.traffic.requests.filter((request) => new URL(request.url).pathname.startsWith(pathPrefix));
  }

  async screenshot(name) {
    await this.page.screenshot({ path: path.join(stack.artifacts, `${name}.png`), fullPage: true });
  }

  async close() {
    await this.context.close();
  }
}

// A link can carry anything after the `#`, and the pages used to take the hub's address from it
// (`#hub=...`), sending the user's realtime token wherever the link said. The pages connect only
// where web's token endpoint says; this link names a loopback address that is not the hub (the test
// never dials beyond loopback) and proves nothing reaches it.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { api, openAppPage } from './support/pages.mjs';
import { stack } from './support/stack.mjs';
import { waitFor } from './support/wait.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A TCP listener on 127.0.0.2 (loopback, but not the hub) that records every connection made to it. */
async function recordingListener() {
  const connections = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    connections.push({ at: Date.now(), from: socket.remoteAddress });
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.2', resolve));
  const url = `http://127.0.0.2:${server.address().port}`;
  return {
    url,
    connections,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('a #hub= link sends nothing to the host it names; the page connects to the hub web hands out', async () => {
  const foreign = await recordingListener();
  try {
    const task = await api('POST', '/tasks', { executor: 'sleep', params: { duration_ms: 200 } });
    const page = await openAppPage(browser, 'task.html', { query: { id: task.id }, fragment: { hub: foreign.url } });
    try {
      // Whichever comes first: the page live on a hub, or a connection to the linked host (the old pages).
      await waitFor('the page to go live or to dial the linked host', async () => foreign.connections.length > 0
        || page.page.evaluate(() => document.getElementById('rt-status').dataset.state === 'live'));
      assert.deepEqual(foreign.connections, [], `nothing connected to ${foreign.url}`);
      await page.waitForStatus('websocket', 'live');
      await page.page.waitForSelector('#task-status[data-status="succeeded"]', { timeout: 30000 });

      const hub = new URL(stack.hubUrl);
      assert.deepEqual(foreign.connections, [], `nothing connected to ${foreign.url}`);
      const foreignHost = new URL(foreign.url).host;
      assert.deepEqual(page.traffic.websockets.filter((socket) => new URL(socket.url).host === foreignHost), []);
      assert.deepEqual(page.traffic.requests.filter((request) => new URL(request.url).host === foreignHost), []);
      assert.ok(page.traffic.websockets.length >= 1, 'the page opened a WebSocket');
      assert.ok(page.traffic.websockets.every((socket) => new URL(socket.url).host === hub.host),
        `every WebSocket went to the hub ${hub.host}: ${page.traffic.websockets.map((socket) => socket.url)}`);
    } finally {
      await page.close();
    }
  } finally {
    await foreign.close();
  }
});

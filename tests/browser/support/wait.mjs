// Waiting for a condition instead of sleeping: polls until it holds or the deadline passes.
import { setTimeout as delay } from 'node:timers/promises';

export async function waitFor(what, condition, { timeoutMs = 30000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await condition();
    if (last) {
      return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(intervalMs);
  }
}

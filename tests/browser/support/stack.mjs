// The running stack the tests talk to, as scripts/test-browser started it (all of it comes from the environment).
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests through scripts/test-browser`);
  }
  return value;
}

export const stack = Object.freeze({
  webUrl: required('STUDIO_TEST_WEB_URL'),
  hubUrl: required('STUDIO_TEST_HUB_URL'),
  jar: required('STUDIO_TEST_JAR'),
  redisUrl: required('REDIS_URL'),
  jwtSecret: required('JWT_SECRET_KEY'),
  workerSecret: required('WORKER_SHARED_SECRET'),
  artifacts: process.env.STUDIO_TEST_ARTIFACTS ?? path.resolve('tests/browser/artifacts'),
});
mkdirSync(stack.artifacts, { recursive: true });

const base64url = (value) => Buffer.from(value).toString('base64url');

/**
 * The key realtime tokens are signed with: HKDF-SHA256 of JWT_SECRET_KEY, empty salt, this label, 32 bytes.
 * Node's port of studio.runtime.auth.TokenKeys#realtimeTokenKey (the Java side holds the RFC 5869 vectors).
 */
function realtimeTokenKey(secret) {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'studio realtime token v1', 32));
}

/**
 * A realtime token as web mints it (studio.runtime.auth.RealtimeTokens) and the hub verifies it: HS256 with
 * the realtime key, `iss` studio-web, `aud` studio-hub, `exp` and a `rooms` claim of room patterns.
 */
export function mintToken({ rooms = ['*'], ttlSeconds = 600, secret = stack.jwtSecret } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({
    sub: 'browser-test', iss: 'studio-web', aud: 'studio-hub', iat: now, exp: now + ttlSeconds, rooms,
  }));
  const signature = createHmac('sha256', realtimeTokenKey(secret)).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}

/** A fresh task room per test, so tests never see each other's events. */
export function freshTaskRoom() {
  return `task:bt-${randomBytes(5).toString('hex')}`;
}

/** Publishes one task event through the hub's worker ingress; resolves to the sequenced envelope. */
export async function publish(room, n, { hubUrl = stack.hubUrl, entityVersion = n } = {}) {
  const response = await fetch(`${hubUrl}/api/v1/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${stack.workerSecret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      event_type: 'node.task.updated',
      entity_kind: 'task',
      entity_id: room.slice(room.indexOf(':') + 1),
      room_keys: [room],
      payload: { n },
      entity_version: entityVersion,
    }),
  });
  const body = await response.json();
  if (response.status !== 202) {
    throw new Error(`publish to ${room} answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body;
}

export async function publishAll(room, numbers, options) {
  const envelopes = [];
  for (const n of numbers) {
    envelopes.push(await publish(room, n, options));
  }
  return envelopes;
}

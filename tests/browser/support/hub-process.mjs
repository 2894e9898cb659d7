// Extra hub replicas as real processes (the launcher jar), sharing the stack's Redis.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stack } from './stack.mjs';
import { waitFor } from './wait.mjs';

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class HubProcess {
  #child = null;
  #exited = null;

  constructor({ name, port, env = {} }) {
    this.name = name;
    this.port = port;
    this.env = env;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `java -jar studio.jar hub` and resolves once its readiness check answers 200. */
  async start() {
    const log = createWriteStream(path.join(stack.artifacts, `${this.name}.log`), { flags: 'a' });
    this.#child = spawn('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-jar', stack.jar, 'hub'], {
      env: {
        ...process.env,
        STUDIO_HUB_PORT: String(this.port),
        STUDIO_HUB_INSTANCES: '1',
        STUDIO_HTTP_HOST: '127.0.0.1',
        STUDIO_RT_DRAIN_GRACE: '1s',
        STUDIO_GRACEFUL_TIMEOUT: '3s',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stdout.pipe(log);
    this.#child.stderr.pipe(log);
    this.#exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
    let exit = null;
    this.#exited.then((result) => { exit = result; });
    await waitFor(`${this.name} ready on port ${this.port}`, async () => {
      if (exit) {
        throw new Error(`${this.name} exited before it was ready (${JSON.stringify(exit)}); see ${this.name}.log`);
      }
      const response = await fetch(`${this.url}/health/ready`).catch(() => null);
      return response?.status === 200;
    }, { timeoutMs: 90000, intervalMs: 200 });
    return this;
  }

  /** SIGKILL: the replica dies at once, no drain, no goodbye; resolves when the process is gone. */
  async kill() {
    if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) {
      return;
    }
    this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGTERM: the hub drains its clients (close 4000) and exits; resolves when the process is gone. */
  async stop() {
    if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) {
      return;
    }
    this.#child.kill('SIGTERM');
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 30000);
    await this.#exited;
    clearTimeout(killer);
  }
}
